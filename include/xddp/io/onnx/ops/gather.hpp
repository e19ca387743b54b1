#pragma once
// Gather over a 1-D constant (x.size(0) in PyTorch's shape plumbing) -> a constant; Gather of one channel of
// an activation (x[:, k], how GoogLeNet's and Inception v3's transform_input read each input channel) ->
// channel_slice(k, 1), seen without its channel axis for a scalar index (Unsqueeze puts it back).

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/slice.hpp"

namespace xddp::io::onnx_detail {

// x[:, k] (a scalar index: the channel axis goes) or x[:, [k]] (one index: it stays) of an (N, C, ...) activation.
inline void import_gather_channel(onnx_import_context& ctx, const pb::NodeProto& n, const view& x) {
    const constant_ptr indices = ctx.constant_input(n, 1, "indices");
    if (indices->is_float) throw format_error(ctx.location() + ": indices are not integers");
    const auto rank = static_cast<std::int64_t>(x.shape.size() + 1);
    std::int64_t axis = ctx.attributes(n).integer("axis", 0);
    if (axis < -rank || axis >= rank)
        throw format_error(ctx.location() + ": axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    if (axis < 0) axis += rank;
    if (axis != 1 || x.shape.size() < 2 || indices->size() != 1 || indices->shape.size() > 1)
        throw unsupported_error(ctx.location() + ": Gather of indices of shape " + xddp::to_string(indices->shape) +
                                " along axis " + std::to_string(axis) + " of (N, " + xddp::to_string(x.shape).substr(1) +
                                "; xddp imports Gather on an activation only as one channel, x[:, k], of (N, C, ...)");
    const auto channels = static_cast<std::int64_t>(x.shape[0]);
    std::int64_t k = indices->i[0];
    if (k < -channels || k >= channels)
        throw format_error(ctx.location() + ": index " + std::to_string(k) + " is out of range for " +
                           std::to_string(channels) + " channels");
    if (k < 0) k += channels;
    emit_channel_slice(ctx, n, 0, x, static_cast<std::size_t>(k), 1, ".gather");
    if (indices->shape.empty()) {  // x[:, k]: the sample shape without its channel axis
        const view& sliced = std::get<view>(ctx.output(n));
        ctx.set_output(n, view{sliced.node, shape_t(x.shape.begin() + 1, x.shape.end()), ctx.base_name(n)});
    }
}

inline void import_gather(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 2);
    if (const view* x = std::get_if<view>(&ctx.input(n, 0))) return import_gather_channel(ctx, n, view(*x));
    const constant_ptr data = ctx.constant_input(n, 0, "data");
    const constant_ptr indices = ctx.constant_input(n, 1, "indices");
    if (indices->is_float) throw format_error(ctx.location() + ": indices are not integers");
    const std::int64_t axis = ctx.attributes(n).integer("axis", 0);
    if (data->shape.size() != 1 || (axis != 0 && axis != -1))
        throw unsupported_error(ctx.location() + ": Gather on data of shape " + xddp::to_string(data->shape) +
                                "; xddp folds Gather over 1-D shape constants only");
    const auto size = static_cast<std::int64_t>(data->shape[0]);
    auto c = new_constant(ctx, indices->size(), data->is_float);
    c->shape = indices->shape;
    for (std::int64_t k : indices->i) {
        if (k < -size || k >= size)
            throw format_error(ctx.location() + ": index " + std::to_string(k) + " is out of range for " +
                               std::to_string(size) + " entries");
        if (k < 0) k += size;
        if (data->is_float) c->f.push_back(data->f[static_cast<std::size_t>(k)]);
        else c->i.push_back(data->i[static_cast<std::size_t>(k)]);
    }
    ctx.set_output(n, constant_ptr(std::move(c)));
}

inline const bool gather_registered = register_builtin_op({"Gather"}, import_gather);

}  // namespace xddp::io::onnx_detail
