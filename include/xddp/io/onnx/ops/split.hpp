#pragma once
// Split of an activation along the channel axis (axis 1) -> one channel_slice per output that is read
// (torch's chunk and split; ShuffleNet v2). The sizes come from the 'split' input (opset 13 on) or
// attribute (before), or are equal. Another axis is an unsupported_error naming the node.

#include <cstdint>
#include <string>
#include <vector>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/slice.hpp"

namespace xddp::io::onnx_detail {

inline void import_split(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 2);
    if (!ctx.is_activation(n, 0))
        throw unsupported_error(ctx.location() + ": Split of a constant is not supported; xddp imports Split of activations");
    const view x = ctx.activation(n, 0);  // a copy: set_output changes the value table
    const auto attributes = ctx.attributes(n);
    const auto rank = static_cast<std::int64_t>(x.shape.size() + 1);
    std::int64_t axis = attributes.integer("axis", 0);
    if (axis < -rank || axis >= rank) throw format_error(ctx.location() + ": axis " + std::to_string(axis) + " is out of range");
    if (axis < 0) axis += rank;
    if (axis != 1)
        throw unsupported_error(ctx.location() + ": splits (N, " + xddp::to_string(x.shape).substr(1) + " along axis " +
                                std::to_string(axis) + "; xddp imports Split of activations along the channels (axis 1)");
    const auto channels = static_cast<std::int64_t>(x.shape[0]);
    const int outputs = n.output_size();
    std::vector<std::int64_t> sizes;
    if (onnx_import_context::has_input(n, 1)) sizes = int_vector(ctx, *ctx.constant_input(n, 1, "split"), "split");
    else if (auto s = attributes.integers("split")) sizes = *s;
    else if (channels % outputs != 0)
        throw format_error(ctx.location() + ": " + std::to_string(channels) + " channels do not split into " +
                           std::to_string(outputs) + " equal parts");
    else sizes.assign(static_cast<std::size_t>(outputs), channels / outputs);
    std::int64_t total = 0;
    for (const std::int64_t s : sizes) {
        if (s < 0 || s > channels) throw format_error(ctx.location() + ": split size " + std::to_string(s) + " is out of range");
        total += s;
    }
    if (static_cast<int>(sizes.size()) != outputs || total != channels)
        throw format_error(ctx.location() + ": split sizes " + std::to_string(sizes.size()) + " summing to " + std::to_string(total) +
                           " for " + std::to_string(outputs) + " outputs of " + std::to_string(channels) + " channels");
    std::int64_t begin = 0;
    for (int k = 0; k < outputs; ++k) {
        const std::int64_t size = sizes[static_cast<std::size_t>(k)];
        if (!n.output(k).empty() && ctx.readers(n.output(k)) > 0) {
            if (size == 0) throw unsupported_error(ctx.location() + ": output " + std::to_string(k) + " is empty and read");
            emit_channel_slice(ctx, n, k, x, static_cast<std::size_t>(begin), static_cast<std::size_t>(size),
                               ".split" + std::to_string(k));
        } else if (!n.output(k).empty()) {
            ctx.set_output(n, k, x);  // read by no node the model output needs: any value will do
        }
        begin += size;
    }
}

inline const bool split_registered = register_builtin_op({"Split"}, import_split);

}  // namespace xddp::io::onnx_detail
