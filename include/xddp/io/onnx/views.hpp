#pragma once
// Reshaping without computing: Flatten, Reshape, Squeeze and Unsqueeze of an activation only change the
// shape ONNX sees (a view, see import_context.hpp), and of a constant give a constant with new dims.

#include <string>
#include <utility>

#include "xddp/io/onnx/constants.hpp"

namespace xddp::io::onnx_detail {

inline void check_rank(const onnx_import_context& ctx, const shape_t& shape) {
    if (shape.size() > max_rank)
        throw unsupported_error(ctx.location() + ": the result has " + std::to_string(shape.size()) +
                                " dimensions, more than " + std::to_string(max_rank));
}

// A constant with new dims and the same elements.
inline constant_ptr reshaped(onnx_import_context& ctx, const constant& c, shape_t shape) {
    check_rank(ctx, shape);
    auto r = new_constant(ctx, c.size(), c.is_float);
    *r = c;
    r->shape = std::move(shape);
    return r;
}

// An activation seen with a new sample shape (same elements), or the same view if nothing changes.
inline void set_view(onnx_import_context& ctx, const pb::NodeProto& n, const view& x, shape_t shape) {
    check_rank(ctx, shape);
    if (shape == x.shape) return ctx.set_output(n, x);
    ctx.set_output(n, view{x.node, std::move(shape), ctx.base_name(n)});
}

// The (N, K) activation of a Gemm or MatMul: a view of any node whose sample has K elements.
inline const view& matrix_input(const onnx_import_context& ctx, const pb::NodeProto& n) {
    const view& a = ctx.activation(n, 0);
    if (a.shape.size() != 1)
        throw unsupported_error(ctx.location() + ": input A has shape (N, " + xddp::to_string(a.shape).substr(1) +
                                "; xddp imports " + n.op_type() + " on (N, K) as a linear layer");
    return a;
}

}  // namespace xddp::io::onnx_detail
