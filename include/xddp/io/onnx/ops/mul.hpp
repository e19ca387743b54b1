#pragma once
// Mul, by what its operands are (specs/ddp.md section 9), either operand order:
// - x * Sigmoid(x) -> silu, x * HardSigmoid(x) with PyTorch's alpha 1/6 and beta 1/2 -> hard_swish (how
//   PyTorch exports SiLU, and Hardswish at opset 13), where only this Mul reads the Sigmoid: the Sigmoid's
//   layer becomes the silu, in place;
// - a feature map (N, C, H, W) times a per-channel activation (N, C, 1, 1) (squeeze-and-excitation) ->
//   gate(feature map, gate);
// - two activations of one shape -> mul;
// - an activation (N, C, H, W) times a constant (C, 1, 1) or (1, C, 1, 1) (layer scale), or one value
//   (transform_input) -> channel_scale.
// - two constants (shape plumbing) -> a constant (ops/arithmetic.hpp).
// Anything else (other broadcasting) is an unsupported_error naming the node.

#include <algorithm>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/arithmetic.hpp"
#include "xddp/layers/channel_scale.hpp"
#include "xddp/layers/gate.hpp"
#include "xddp/layers/hard_sigmoid.hpp"
#include "xddp/layers/hard_swish.hpp"
#include "xddp/layers/mul.hpp"
#include "xddp/layers/sigmoid.hpp"
#include "xddp/layers/silu.hpp"

namespace xddp::io::onnx_detail {

// x * s where s (read as input s_input of n) is Sigmoid(x) or PyTorch's HardSigmoid(x) and only n reads it:
// s's layer becomes silu or hard_swish and n's output is s. False, changing nothing, for any other s.
inline bool fold_swish(onnx_import_context& ctx, const pb::NodeProto& n, const view& x, const view& s, int s_input) {
    if (s.node == x.node || s.shape != x.shape || ctx.readers(n.input(s_input)) != 1) return false;
    node& gate_node = ctx.imported_graph().at(s.node);
    if (gate_node.inputs != std::vector<node_id>{x.node} || !gate_node.successors.empty()) return false;
    if (gate_node.layer->get_if<sigmoid>()) {
        gate_node.layer = any_layer(silu{});
    } else if (const hard_sigmoid* h = gate_node.layer->get_if<hard_sigmoid>(); h && h->alpha == hard_sigmoid{}.alpha &&
                                                                               h->beta == hard_sigmoid{}.beta) {
        gate_node.layer = any_layer(hard_swish{});
    } else {
        return false;
    }
    ctx.set_output(n, view(s));
    return true;
}

// "(N, 4, 8, 8)" for a sample shape {4, 8, 8}.
inline std::string batch_shape(const shape_t& sample) { return "(N, " + xddp::to_string(sample).substr(1); }

inline void import_mul_of_activations(onnx_import_context& ctx, const pb::NodeProto& n, const view& a, const view& b) {
    if (fold_swish(ctx, n, a, b, 1) || fold_swish(ctx, n, b, a, 0)) return;
    if (a.shape == b.shape) {
        node_id x = ctx.materialize(a), y = ctx.materialize(b);
        if (x > y) std::swap(x, y);  // a product is symmetric; keep inputs in graph order
        ctx.emit(n, mul{}, {x, y});
        return;
    }
    const auto is_gate_of = [](const shape_t& g, const shape_t& x) { return x.size() == 3 && g == shape_t{x[0], 1, 1}; };
    const view* feature = is_gate_of(b.shape, a.shape) ? &a : is_gate_of(a.shape, b.shape) ? &b : nullptr;
    if (!feature)
        throw unsupported_error(ctx.location() + ": multiplies shapes " + batch_shape(a.shape) + " and " + batch_shape(b.shape) +
                                "; xddp imports Mul of equal shapes, of a feature map (N, C, H, W) by a gate (N, C, 1, 1), "
                                "or by a constant (C, 1, 1)");
    const view& g = feature == &a ? b : a;
    // A gate computed as (N, C) and viewed as (N, C, 1, 1) holds the same floats: the gate layer reads it as it is.
    const node_id gate_input = ctx.shape_of(g.node) == shape_t{g.shape[0]} ? g.node : ctx.materialize(g);
    ctx.emit(n, gate{}, {ctx.materialize(*feature), gate_input});
}

// The factors (or shifts) per channel of a constant c broadcast onto the activation x (N, C, H, W): c of shape
// (C, 1, 1) or (1, C, 1, 1), or a single value of at most x's rank. Empty for any other shape.
inline std::vector<float> per_channel_values(const constant& c, const view& x) {
    const std::size_t channels = x.shape.empty() ? 0 : x.shape[0];
    if (!c.is_float || x.shape.size() != 3) return {};
    if (c.shape == shape_t{channels, 1, 1} || c.shape == shape_t{1, channels, 1, 1}) return c.f;
    if (c.size() == 1 && c.shape.size() <= 4) return std::vector<float>(channels, c.f[0]);
    return {};
}

inline void import_mul(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 2);
    const view* va = std::get_if<view>(&ctx.input(n, 0));
    const view* vb = std::get_if<view>(&ctx.input(n, 1));
    if (va && vb) return import_mul_of_activations(ctx, n, view(*va), view(*vb));
    if (!va && !vb) return ctx.set_output(n, fold_arithmetic(ctx, n));  // shape plumbing (ops/arithmetic.hpp)
    const view x = va ? *va : *vb;
    const int factor_input = va ? 1 : 0;
    const constant_ptr c = weight(ctx, n, factor_input, "factor");
    const std::vector<float> factors = per_channel_values(*c, x);
    if (factors.empty())
        throw unsupported_error(ctx.location() + ": multiplies " + batch_shape(x.shape) + " by the constant '" +
                                n.input(factor_input) + "' of shape " + xddp::to_string(c->shape) +
                                "; xddp imports Mul of an activation (N, C, H, W) by a constant per channel, (C, 1, 1) or "
                                "(1, C, 1, 1), or by one value");
    channel_scale layer(factors.size());
    std::copy(factors.begin(), factors.end(), layer.weight().data());
    ctx.emit(n, std::move(layer), {ctx.materialize(x)});
}

inline const bool mul_registered = register_builtin_op({"Mul"}, import_mul);

}  // namespace xddp::io::onnx_detail
