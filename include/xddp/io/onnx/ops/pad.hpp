#pragma once
// Pad with zeros (constant mode, value 0) on H and W only, directly in front of a Conv or an AveragePool:
// folded into that op's padding (specs/ddp.md section 9). PyTorch exports AvgPool2d(count_include_pad=True)
// with padding as Pad + AveragePool: the padded zeros count in the divisor, so the fold keeps
// count_include_pad on. Refused with an unsupported_error naming the node: a Pad read by anything else or by
// more than one node, a non-zero value, another mode, padding of N or C, negative pads (cropping), and a Pad
// before a MaxPool (a max pool pads with -inf, so zeros would be a different pool).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/conv.hpp"
#include "xddp/io/onnx/ops/folded_pad.hpp"
#include "xddp/io/onnx/ops/pool.hpp"

namespace xddp::io::onnx_detail {

inline constexpr std::string_view pad_pattern = "a zero Pad folded into the one Conv or AveragePool that reads it";

// Imports the one node that reads the padded tensor, with the padding folded into it.
struct pad_continuation {
    folded_pad fold;
    std::string pad;     // the Pad's name, for messages
    std::string output;  // the Pad's output, which the node must read as its input 0

    void operator()(onnx_import_context& ctx, const pb::NodeProto& n) const {
        const std::string& op = n.op_type();
        if (op == "MaxPool")
            throw unsupported_error(ctx.location() + ": reads the zero Pad '" + pad +
                                    "'; a max pool pads with -inf, so xddp cannot fold zeros into it");
        if ((op != "Conv" && op != "AveragePool") || n.input(0) != output)
            throw unsupported_error(ctx.location() + ": reads the zero Pad '" + pad +
                                    "'; xddp folds a zero Pad only into the Conv or AveragePool that reads it as its input");
        if (op == "Conv") import_conv_after(ctx, n, &fold);
        else import_pool_after(ctx, n, &fold);
    }
};

inline void import_pad(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 3);  // data, pads, constant_value (opset 11 to 17)
    const std::string mode = ctx.attributes(n).text("mode", "constant");
    if (mode != "constant")
        throw unsupported_error(ctx.location() + ": pads in mode '" + mode + "'; xddp folds only zero padding (mode 'constant')");
    if (const auto value = scalar_input(ctx, n, 2, "constant_value"); value && *value != 0.0f)
        throw unsupported_error(ctx.location() + ": pads with the value " + std::to_string(*value) +
                                "; xddp folds only zero padding into the Conv or AveragePool that follows");
    const view x = ctx.activation(n, 0);  // a copy: set_output changes the value table
    const std::vector<std::int64_t> pads = int_vector(ctx, *ctx.constant_input(n, 1, "pads"), "pads");
    const std::size_t rank = x.shape.size() + 1;
    if (pads.size() != 2 * rank)
        throw format_error(ctx.location() + ": 'pads' has " + std::to_string(pads.size()) + " entries for an input of " +
                           std::to_string(rank) + " dimensions, expected " + std::to_string(2 * rank));
    for (const std::int64_t p : pads)
        if (p < 0 || p > max_extent)
            throw unsupported_error(ctx.location() + ": pads by " + std::to_string(p) +
                                    "; xddp folds only zero padding of 0.." + std::to_string(max_extent) + " (no cropping)");
    if (rank != 4 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0)
        throw unsupported_error(ctx.location() + ": pads (N, " + xddp::to_string(x.shape).substr(1) +
                                " on axes other than H and W; xddp folds only zero padding of H and W of (N, C, H, W)");
    const node_id source = ctx.materialize(x);
    const auto at = [&](std::size_t k) { return static_cast<std::size_t>(pads[k]); };
    const folded_pad fold{source, {at(2), at(3), at(6), at(7)}};
    ctx.set_pending_output(n, std::string(pad_pattern), pad_continuation{fold, ctx.display_name(n), n.output(0)});
}

inline const bool pad_registered = register_builtin_op({"Pad"}, import_pad);

}  // namespace xddp::io::onnx_detail
