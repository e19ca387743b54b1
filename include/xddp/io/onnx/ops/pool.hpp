#pragma once
// MaxPool -> max_pool2d and AveragePool -> avg_pool2d, or adaptive_avg_pool2d when its windows tile the
// input exactly (what PyTorch exports for AdaptiveAvgPool2d; onnx_options::adaptive_pools). A zero Pad before
// an AveragePool is folded into its padding, counted in the divisor (ops/pad.hpp).

#include <array>
#include <optional>

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/folded_pad.hpp"
#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/avg_pool2d.hpp"
#include "xddp/layers/max_pool2d.hpp"

namespace xddp::io::onnx_detail {

// The (N, C, H, W) input of a pool, made a node of its own if it is a view.
inline node_id pool_input(onnx_import_context& ctx, const pb::NodeProto& n) {
    const node_id x = ctx.materialize(ctx.activation(n, 0));
    const shape_t& in = ctx.shape_of(x);
    if (in.size() != 3)
        throw unsupported_error(ctx.location() + ": pooling over input (N, " + xddp::to_string(in).substr(1) +
                                "; xddp imports 2-D pooling over (N, C, H, W)");
    return x;
}

// The MaxPool or AveragePool n; an AveragePool reads a zero Pad folded into its padding where pad is given
// (ops/pad.hpp, which never folds one into a MaxPool).
inline void import_pool_after(onnx_import_context& ctx, const pb::NodeProto& n, const folded_pad* pad) {
    const bool is_max = n.op_type() == "MaxPool";
    ctx.expect_inputs(n, 1, 1);
    ctx.expect_single_output(n);
    const node_id x = pad ? pad->source : pool_input(ctx, n);
    const shape_t in = ctx.shape_of(x);
    const auto attributes = ctx.attributes(n);
    if (!attributes.find("kernel_shape")) throw format_error(ctx.location() + ": attribute 'kernel_shape' is missing");
    const pair_t kernel = attributes.pair("kernel_shape", {1, 1});
    const pair_t stride = attributes.pair("strides", {1, 1});
    pair_t dilation{1, 1};
    if (is_max) dilation = attributes.pair("dilations", {1, 1});
    else if (attributes.pair("dilations", {1, 1}) != pair_t{1, 1})
        throw unsupported_error(ctx.location() + ": AveragePool with dilations is not supported");
    auto pads = attributes.window_pads(kernel, stride, dilation, padded_extent(in, pad));
    bool count_include_pad = attributes.flag("count_include_pad");
    if (pad) {
        // The padded zeros are input: they count in the divisor, as the op's own pads do only with count_include_pad.
        if (is_max) throw unsupported_error(ctx.location() + ": reads a zero Pad; a max pool pads with -inf, not 0");
        if (!count_include_pad && pads != std::array<std::size_t, 4>{0, 0, 0, 0})
            throw unsupported_error(ctx.location() + ": has pads of its own without count_include_pad after a zero Pad; "
                                    "xddp's average pool counts all or none of its padding in the divisor");
        if (attributes.flag("ceil_mode"))
            throw unsupported_error(ctx.location() + ": ceil_mode after a zero Pad; xddp folds a Pad only into an "
                                    "AveragePool without ceil_mode");
        add_folded_pads(pads, pad);
        count_include_pad = true;
    }
    // With ceil_mode the windows follow PyTorch's rule (the last one starts inside the input or its
    // leading padding), which exported models were computed with; opset 19 wrote it into ONNX too.
    const bool ceil_mode = attributes.flag("ceil_mode");
    for (int side = 0; side < 4; ++side)
        if (2 * pads[static_cast<std::size_t>(side)] > kernel[static_cast<std::size_t>(side % 2)])
            throw unsupported_error(ctx.location() + ": padding " + std::to_string(pads[static_cast<std::size_t>(side)]) +
                                    " exceeds half the kernel " + xddp::to_string(kernel) +
                                    "; xddp's pools (as PyTorch's) need padding <= kernel / 2");
    const std::optional<pair_t> pad_end =
        pads[2] != pads[0] || pads[3] != pads[1] ? std::optional<pair_t>(pair_t{pads[2], pads[3]}) : std::nullopt;
    if (is_max) {
        max_pool2d_options o{.kernel = kernel, .stride = stride, .padding = {pads[0], pads[1]},
                             .padding_end = pad_end, .dilation = dilation, .ceil_mode = ceil_mode};
        ctx.emit(n, ctx.make_layer([&] { return max_pool2d(o); }), {x});
        return;
    }
    const bool tiles = stride == kernel && pads == std::array<std::size_t, 4>{0, 0, 0, 0} && in[1] % kernel[0] == 0 &&
                       in[2] % kernel[1] == 0;
    if (ctx.options().adaptive_pools && tiles) {
        ctx.emit(n, adaptive_avg_pool2d::fixed(kernel, {in[1], in[2]}), {x});
        return;
    }
    avg_pool2d_options o{.kernel = kernel, .stride = stride, .padding = {pads[0], pads[1]}, .padding_end = pad_end,
                         .ceil_mode = ceil_mode, .count_include_pad = count_include_pad};
    ctx.emit(n, ctx.make_layer([&] { return avg_pool2d(o); }), {x});
}

inline void import_pool(onnx_import_context& ctx, const pb::NodeProto& n) { import_pool_after(ctx, n, nullptr); }

inline const bool pool_registered = register_builtin_op({"MaxPool", "AveragePool"}, import_pool);

}  // namespace xddp::io::onnx_detail
