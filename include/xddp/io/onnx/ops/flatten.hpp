#pragma once
// Flatten: of an activation (axis 1 only), a view with (N, features); of a constant, a 2-D constant.

#include <span>

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/views.hpp"

namespace xddp::io::onnx_detail {

inline void import_flatten(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);
    std::int64_t axis = ctx.attributes(n).integer("axis", 1);
    if (const view* x = std::get_if<view>(&ctx.input(n, 0))) {
        const auto rank = static_cast<std::int64_t>(x->shape.size() + 1);
        if (axis < -rank || axis > rank) throw format_error(ctx.location() + ": axis " + std::to_string(axis) + " is out of range");
        if (axis < 0) axis += rank;
        if (axis != 1)
            throw unsupported_error(ctx.location() + ": axis " + std::to_string(axis) +
                                    " mixes the batch dimension into the features; xddp imports Flatten with axis 1");
        return set_view(ctx, n, *x, {element_count(x->shape)});
    }
    const constant_ptr c = ctx.constant_input(n, 0, "input");
    const auto rank = static_cast<std::int64_t>(c->shape.size());
    if (axis < -rank || axis > rank) throw format_error(ctx.location() + ": axis " + std::to_string(axis) + " is out of range");
    if (axis < 0) axis += rank;
    const auto split = c->shape.begin() + axis;
    ctx.set_output(n, reshaped(ctx, *c, {element_count(std::span(c->shape.begin(), split)),
                                         element_count(std::span(split, c->shape.end()))}));
}

inline const bool flatten_registered = register_builtin_op({"Flatten"}, import_flatten);

}  // namespace xddp::io::onnx_detail
