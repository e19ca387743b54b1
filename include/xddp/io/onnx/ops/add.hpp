#pragma once
// Add of two activations of equal shape -> add (a residual sum, named "<block>.resnetadd" as
// DeepDataProfiler names it); Add of a constant -> the bias of the MatMul it follows, or a shift per channel
// of an (N, C, H, W) activation (transform_input's x * a + b: the shift of the channel_scale x * a made, when
// only this Add reads it; else a channel_scale of its own); Add of two constants (shape plumbing) -> a constant.

#include <utility>
#include <variant>

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/arithmetic.hpp"
#include "xddp/io/onnx/ops/matmul.hpp"
#include "xddp/io/onnx/ops/mul.hpp"
#include "xddp/layers/add.hpp"
#include "xddp/layers/channel_scale.hpp"

namespace xddp::io::onnx_detail {

// x + c for a constant c per channel of x (N, C, H, W) (ops/mul.hpp's per_channel_values). False, changing
// nothing, for any other c.
inline bool import_channel_shift(onnx_import_context& ctx, const pb::NodeProto& n, const view& x, int shift_input) {
    const constant_ptr c = weight(ctx, n, shift_input, "addend");
    const std::vector<float> shifts = per_channel_values(*c, x);
    if (shifts.empty()) return false;
    const node_id in = ctx.materialize(x);
    node& producer = ctx.imported_graph().at(in);
    const channel_scale* s = producer.layer ? producer.layer->get_if<channel_scale>() : nullptr;
    if (s && !s->has_bias() && ctx.readers(n.input(shift_input == 1 ? 0 : 1)) == 1 && producer.successors.empty()) {
        channel_scale shifted(s->channels(), true);
        shifted.weight() = s->weight();
        std::copy(shifts.begin(), shifts.end(), shifted.bias().data());
        producer.layer = any_layer(std::move(shifted));
        ctx.set_output(n, x);
        return true;
    }
    channel_scale layer(shifts.size(), true);
    std::copy(shifts.begin(), shifts.end(), layer.bias().data());
    ctx.emit(n, std::move(layer), {in});
    return true;
}

inline void import_add(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 2);
    const view* va = std::get_if<view>(&ctx.input(n, 0));
    const view* vb = std::get_if<view>(&ctx.input(n, 1));
    if (va && vb) {
        if (va->shape != vb->shape)
            throw unsupported_error(ctx.location() + ": adds shapes (N, " + xddp::to_string(va->shape).substr(1) + " and (N, " +
                                    xddp::to_string(vb->shape).substr(1) + "; xddp imports Add of equal shapes (no broadcasting)");
        node_id x = ctx.materialize(*va), y = ctx.materialize(*vb);
        if (x > y) std::swap(x, y);  // a sum is symmetric; keep inputs in graph order
        ctx.emit(n, add{}, {x, y}, ".resnetadd");
        return;
    }
    if (!va && !vb) return ctx.set_output(n, fold_arithmetic(ctx, n));  // shape plumbing
    const int bias_input = va ? 1 : 0;
    const view& x = va ? *va : *vb;
    if (ctx.state<unbiased_matmuls>().nodes.contains(x.node) || !import_channel_shift(ctx, n, x, bias_input))
        fold_matmul_bias(ctx, n, x, n.input(bias_input == 1 ? 0 : 1), bias_input);
}

inline const bool add_registered = register_builtin_op({"Add"}, import_add);

}  // namespace xddp::io::onnx_detail
