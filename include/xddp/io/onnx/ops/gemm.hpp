#pragma once
// Gemm -> linear on an (N, K) activation; transB = 0, alpha and beta are applied to the weights.

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/views.hpp"
#include "xddp/layers/linear.hpp"

namespace xddp::io::onnx_detail {

inline void import_gemm(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 3);
    const auto attributes = ctx.attributes(n);
    if (attributes.integer("transA", 0) != 0)
        throw unsupported_error(ctx.location() + ": transA = 1 transposes the activation; xddp imports Gemm with transA = 0");
    const view& a = matrix_input(ctx, n);
    const constant_ptr b = weight(ctx, n, 1, "weight B", 2);
    const bool trans_b = attributes.integer("transB", 0) != 0;
    const float alpha = attributes.finite_real("alpha", 1.0f), beta = attributes.finite_real("beta", 1.0f);
    const std::size_t in = trans_b ? b->shape[1] : b->shape[0], out = trans_b ? b->shape[0] : b->shape[1];
    if (in != a.shape[0] || out == 0)
        throw format_error(ctx.location() + ": weight B has shape " + xddp::to_string(b->shape) + " (transB = " +
                           std::to_string(trans_b) + ") for input (N, " + std::to_string(a.shape[0]) + ")");
    constant_ptr c;
    if (onnx_import_context::has_input(n, 2)) {
        c = weight(ctx, n, 2, "bias C");
        const bool row = c->size() == out && (c->shape.size() == 1 || (c->shape.size() == 2 && c->shape[0] == 1));
        if (!row && c->size() != 1)
            throw unsupported_error(ctx.location() + ": bias C has shape " + xddp::to_string(c->shape) + "; expected (" +
                                    std::to_string(out) + ",), (1, " + std::to_string(out) + ") or one value");
    }
    linear layer = ctx.make_layer([&] { return linear({.in_features = in, .out_features = out, .bias = c != nullptr}); });
    float* w = layer.weight().data();
    for (std::size_t o = 0; o < out; ++o)
        for (std::size_t i = 0; i < in; ++i) w[o * in + i] = alpha * b->f[trans_b ? o * in + i : i * out + o];
    if (c)
        for (std::size_t o = 0; o < out; ++o) layer.bias()(o) = beta * c->f[c->size() == 1 ? 0 : o];
    ctx.emit(n, std::move(layer), {a.node});
}

inline const bool gemm_registered = register_builtin_op({"Gemm"}, import_gemm);

}  // namespace xddp::io::onnx_detail
