#pragma once
// ConstantOfShape of a constant shape -> a constant filled with its value (one element; float zero by default).
// Shape plumbing: F.pad exports its pads as ConstantOfShape, Concat, Reshape, Slice, Transpose, Reshape, Cast.

#include <cstdint>
#include <string>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

inline void import_constant_of_shape(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);
    if (ctx.is_activation(n, 0))
        throw unsupported_error(ctx.location() + ": ConstantOfShape of an activation's run-time shape is not supported");
    const std::vector<std::int64_t>& dims = int_vector(ctx, *ctx.constant_input(n, 0, "input"), "input");
    shape_t shape;
    for (std::int64_t d : dims) {
        if (d < 0) throw unsupported_error(ctx.location() + ": extent " + std::to_string(d) + " (the batch size, or invalid)");
        shape.push_back(static_cast<std::size_t>(d));
    }
    if (shape.size() > max_rank) throw unsupported_error(ctx.location() + ": " + std::to_string(shape.size()) + " dimensions");
    constant fill;  // float 0
    fill.f = {0.0f};
    for (const pb::AttributeProto& a : n.attribute()) {
        if (a.name() != "value") continue;
        const constant_ptr v = ctx.decode_tensor(a.t(), "node '" + ctx.display_name(n) + "' value");
        if (v->size() != 1) throw format_error(ctx.location() + ": value holds " + std::to_string(v->size()) + " elements, expected 1");
        fill = *v;
    }
    const std::size_t count = saturated_count(shape);
    auto c = new_constant(ctx, count, fill.is_float);
    if (fill.is_float) c->f.assign(count, fill.f[0]);
    else c->i.assign(count, fill.i[0]);
    c->shape = std::move(shape);
    ctx.set_output(n, constant_ptr(std::move(c)));
}

inline const bool constant_of_shape_registered = register_builtin_op({"ConstantOfShape"}, import_constant_of_shape);

}  // namespace xddp::io::onnx_detail
