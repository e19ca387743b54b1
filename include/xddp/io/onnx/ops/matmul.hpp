#pragma once
// MatMul -> linear without bias on an (N, K) activation. An Add of a constant that follows (how PyTorch
// exports nn.Linear at some opsets) gives that layer its bias: fold_matmul_bias, called by ops/add.hpp.

#include <string>
#include <unordered_set>

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/views.hpp"
#include "xddp/layers/linear.hpp"

namespace xddp::io::onnx_detail {

// The linear layers a MatMul made that have no bias yet (import-wide state, see onnx_import_context::state).
struct unbiased_matmuls {
    std::unordered_set<node_id> nodes;
};

inline void import_matmul(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 2);
    const view& a = matrix_input(ctx, n);
    const constant_ptr b = weight(ctx, n, 1, "weight B", 2);
    const std::size_t in = b->shape[0], out = b->shape[1];
    if (in != a.shape[0] || out == 0)
        throw format_error(ctx.location() + ": weight B has shape " + xddp::to_string(b->shape) + " for input (N, " +
                           std::to_string(a.shape[0]) + "); expected (K, M)");
    linear layer = ctx.make_layer([&] { return linear({.in_features = in, .out_features = out, .bias = false}); });
    float* w = layer.weight().data();
    for (std::size_t o = 0; o < out; ++o)
        for (std::size_t i = 0; i < in; ++i) w[o * in + i] = b->f[i * out + o];
    const node_id id = ctx.emit(n, std::move(layer), {a.node});
    ctx.state<unbiased_matmuls>().nodes.insert(id);
}

inline const bool matmul_registered = register_builtin_op({"MatMul"}, import_matmul);

// Add(x, constant) where x (read as `x_name`) is the output of a MatMul that only this Add reads -> the
// MatMul's linear layer with that bias; anything else is an unsupported_error.
inline void fold_matmul_bias(onnx_import_context& ctx, const pb::NodeProto& n, const view& x, const std::string& x_name,
                             int bias_input) {
    linear* l = nullptr;
    auto& unbiased = ctx.state<unbiased_matmuls>().nodes;
    if (unbiased.contains(x.node) && ctx.readers(x_name) == 1 && ctx.shape_of(x.node) == x.shape)
        l = ctx.imported_graph().at(x.node).layer->get_if<linear>();
    if (!l)
        throw unsupported_error(ctx.location() + ": adds the constant '" + n.input(bias_input) +
                                "' of shape " + xddp::to_string(weight(ctx, n, bias_input, "addend")->shape) +
                                " to an activation; xddp imports that as the bias of the MatMul it follows, or as a "
                                "shift per channel (C, 1, 1), (1, C, 1, 1) or one value of an (N, C, H, W) activation");
    const std::size_t out = l->options().out_features;
    const constant_ptr c = weight(ctx, n, bias_input, "bias");
    if (c->size() != out && c->size() != 1)
        throw unsupported_error(ctx.location() + ": bias '" + n.input(bias_input) + "' has shape " +
                                xddp::to_string(c->shape) + "; expected (" + std::to_string(out) + ",) or one value");
    linear biased = ctx.make_layer([&] { return linear({.in_features = l->options().in_features, .out_features = out, .bias = true}); });
    biased.weight() = l->weight();
    for (std::size_t o = 0; o < out; ++o) biased.bias()(o) = c->f[c->size() == 1 ? 0 : o];
    ctx.imported_graph().at(x.node).layer = any_layer(std::move(biased));
    unbiased.erase(x.node);
    ctx.set_output(n, x);
}

}  // namespace xddp::io::onnx_detail
