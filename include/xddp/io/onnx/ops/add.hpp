#pragma once
// Add of two activations of equal shape -> add (a residual sum, named "<block>.resnetadd" as
// DeepDataProfiler names it); Add of a constant -> the bias of the MatMul it follows; Add of two constants
// (shape plumbing) -> a constant.

#include <utility>
#include <variant>

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/arithmetic.hpp"
#include "xddp/io/onnx/ops/matmul.hpp"
#include "xddp/layers/add.hpp"

namespace xddp::io::onnx_detail {

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
    fold_matmul_bias(ctx, n, va ? *va : *vb, n.input(bias_input == 1 ? 0 : 1), bias_input);
}

inline const bool add_registered = register_builtin_op({"Add"}, import_add);

}  // namespace xddp::io::onnx_detail
