#pragma once
// Conv -> conv2d: 2-D convolution over (N, C, H, W) with groups, dilations, explicit (possibly
// asymmetric) or automatic padding, and an optional bias. A zero Pad before it is folded into its padding.

#include <algorithm>
#include <optional>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/folded_pad.hpp"
#include "xddp/layers/conv2d.hpp"

namespace xddp::io::onnx_detail {

// The Conv n, reading a zero Pad folded into its padding where pad is given (ops/pad.hpp).
inline void import_conv_after(onnx_import_context& ctx, const pb::NodeProto& n, const folded_pad* pad) {
    ctx.expect_inputs(n, 2, 3);
    const node_id x = pad ? pad->source : ctx.materialize(ctx.activation(n, 0));
    const shape_t in = ctx.shape_of(x);
    if (in.size() != 3)
        throw unsupported_error(ctx.location() + ": convolution over input (N, " + xddp::to_string(in).substr(1) +
                                "; xddp imports 2-D convolution over (N, C, H, W)");
    const constant_ptr w = weight(ctx, n, 1, "weight W", 4);
    const auto attributes = ctx.attributes(n);
    const std::int64_t group = attributes.integer("group", 1);
    if (group < 1 || group > max_extent) throw format_error(ctx.location() + ": group " + std::to_string(group) + " is not positive");
    const std::size_t groups = static_cast<std::size_t>(group), channels = in[0], out = w->shape[0];
    if (w->shape[1] * groups != channels || out == 0 || out % groups != 0)
        throw format_error(ctx.location() + ": weight W has shape " + xddp::to_string(w->shape) + " for an input of " +
                           std::to_string(channels) + " channels in " + std::to_string(groups) +
                           " groups; expected (M, C / group, kH, kW) with group dividing M");
    const pair_t kernel{w->shape[2], w->shape[3]};
    if (kernel[0] == 0 || kernel[1] == 0)
        throw format_error(ctx.location() + ": weight W has an empty kernel " + xddp::to_string(w->shape));
    if (attributes.pair("kernel_shape", kernel) != kernel)
        throw format_error(ctx.location() + ": attribute 'kernel_shape' differs from the kernel of weight W " +
                           xddp::to_string(w->shape));
    const pair_t stride = attributes.pair("strides", {1, 1});
    const pair_t dilation = attributes.pair("dilations", {1, 1});
    auto pads = attributes.window_pads(kernel, stride, dilation, padded_extent(in, pad));
    add_folded_pads(pads, pad);
    constant_ptr b;
    if (onnx_import_context::has_input(n, 2)) {
        b = weight(ctx, n, 2, "bias B");
        if (b->shape != shape_t{out})
            throw format_error(ctx.location() + ": bias B has shape " + xddp::to_string(b->shape) + ", expected (" +
                               std::to_string(out) + ",)");
    }
    conv2d_options o{.in_channels = channels, .out_channels = out, .kernel = kernel, .stride = stride,
                     .padding = {pads[0], pads[1]}, .padding_end = std::nullopt, .dilation = dilation,
                     .groups = groups, .bias = b != nullptr};
    if (pads[2] != pads[0] || pads[3] != pads[1]) o.padding_end = pair_t{pads[2], pads[3]};
    conv2d layer = ctx.make_layer([&] { return conv2d(o); });
    std::copy(w->f.begin(), w->f.end(), layer.weight().data());
    if (b) std::copy(b->f.begin(), b->f.end(), layer.bias().data());
    ctx.emit(n, std::move(layer), {x});
}

inline void import_conv(onnx_import_context& ctx, const pb::NodeProto& n) { import_conv_after(ctx, n, nullptr); }

inline const bool conv_registered = register_builtin_op({"Conv"}, import_conv);

}  // namespace xddp::io::onnx_detail
