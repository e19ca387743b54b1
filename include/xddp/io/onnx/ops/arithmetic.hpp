#pragma once
// Add, Sub, Mul and Div of two constants, folded at import into a constant. PyTorch's shape plumbing needs
// it: x.chunk(2, dim=1) exports its split points as Shape -> Gather -> Add 1 -> Div 2 -> Mul k -> Slice.
// Sub is registered here (of constants only); Add (ops/add.hpp), Mul (ops/mul.hpp) and Div (ops/gelu.hpp)
// call fold_arithmetic when both their inputs are constants. Integer Div truncates toward zero, as ONNX Runtime.

#include <cstdint>
#include <string>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

// A op B for two constants of one element type: of equal shapes, or one of them a single value.
inline constant_ptr fold_arithmetic(onnx_import_context& ctx, const pb::NodeProto& n) {
    const constant_ptr a = ctx.constant_input(n, 0, "input A");
    const constant_ptr b = ctx.constant_input(n, 1, "input B");
    if (a->is_float != b->is_float) throw format_error(ctx.location() + ": inputs A and B have different element types");
    const bool a_single = a->size() == 1, b_single = b->size() == 1;
    if (a->shape != b->shape && !a_single && !b_single)
        throw unsupported_error(ctx.location() + ": broadcasts shapes " + xddp::to_string(a->shape) + " and " +
                                xddp::to_string(b->shape) + "; xddp folds " + n.op_type() +
                                " of constants of equal shapes or with a single value");
    const shape_t shape = a_single && (!b_single || b->shape.size() > a->shape.size()) ? b->shape : a->shape;
    const std::size_t count = element_count(shape);
    const std::string& op = n.op_type();
    auto c = new_constant(ctx, count, a->is_float);
    c->shape = shape;
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t ka = a_single ? 0 : k, kb = b_single ? 0 : k;
        if (a->is_float) {
            const float x = a->f[ka], y = b->f[kb];
            c->f.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
            continue;
        }
        const std::int64_t x = a->i[ka], y = b->i[kb];
        if (x == batch_extent || y == batch_extent)
            throw unsupported_error(ctx.location() + ": computes with the batch size, which xddp does not know at import");
        std::int64_t r = 0;
        bool overflow = false;
        if (op == "Add") overflow = __builtin_add_overflow(x, y, &r);
        else if (op == "Sub") overflow = __builtin_sub_overflow(x, y, &r);
        else if (op == "Mul") overflow = __builtin_mul_overflow(x, y, &r);
        else if (y == 0) throw format_error(ctx.location() + ": divides " + std::to_string(x) + " by 0");
        else if (x == INT64_MIN && y == -1) overflow = true;
        else r = x / y;
        if (overflow)
            throw format_error(ctx.location() + ": " + std::to_string(x) + " " + op + " " + std::to_string(y) + " overflows int64");
        c->i.push_back(r);
    }
    return c;
}

// An arithmetic op of constants only.
inline void import_constant_arithmetic(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 2);
    if (ctx.is_activation(n, 0) || ctx.is_activation(n, 1))
        throw unsupported_error(ctx.location() + ": " + n.op_type() + " of an activation is not supported; xddp folds " +
                                n.op_type() + " of constants (shape plumbing) only");
    ctx.set_output(n, fold_arithmetic(ctx, n));
}

inline const bool arithmetic_registered = register_builtin_op({"Sub"}, import_constant_arithmetic);

}  // namespace xddp::io::onnx_detail
