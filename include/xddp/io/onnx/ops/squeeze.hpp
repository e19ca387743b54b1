#pragma once
// Squeeze and Unsqueeze (axes as an input since opset 13, an attribute before): of an activation, a view
// (the batch dimension stays); of a constant, a constant with new dims.

#include <string>
#include <vector>

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/views.hpp"

namespace xddp::io::onnx_detail {

inline void import_squeeze(onnx_import_context& ctx, const pb::NodeProto& n) {
    const bool squeeze = n.op_type() == "Squeeze";
    ctx.expect_inputs(n, 1, 2);
    std::vector<std::int64_t> axes;
    if (onnx_import_context::has_input(n, 1)) axes = int_vector(ctx, *ctx.constant_input(n, 1, "axes"), "axes");
    else if (auto a = ctx.attributes(n).integers("axes")) axes = *a;
    const view* x = std::get_if<view>(&ctx.input(n, 0));
    constant_ptr c;
    if (!x) c = ctx.constant_input(n, 0, "data");
    shape_t full = x ? x->shape : c->shape;
    if (x) full.insert(full.begin(), 0);  // the batch: never squeezed or unsqueezed here
    if (axes.size() > 64) throw format_error(ctx.location() + ": " + std::to_string(axes.size()) + " axes");
    if (squeeze && axes.empty()) {
        if (x) throw unsupported_error(ctx.location() + ": Squeeze without axes on an activation could drop the batch dimension");
        for (std::size_t d = 0; d < full.size(); ++d)
            if (full[d] == 1) axes.push_back(static_cast<std::int64_t>(d));
    }
    const auto rank = static_cast<std::int64_t>(squeeze ? full.size() : full.size() + axes.size());
    std::vector<bool> marked(static_cast<std::size_t>(rank), false);
    for (std::int64_t a : axes) {
        if (a < -rank || a >= rank) throw format_error(ctx.location() + ": axis " + std::to_string(a) + " is out of range");
        if (a < 0) a += rank;
        if (marked[static_cast<std::size_t>(a)])
            throw format_error(ctx.location() + ": axis " + std::to_string(a) + " appears twice");
        if (x && a == 0) throw unsupported_error(ctx.location() + ": axis 0 is the batch dimension");
        if (squeeze && full[static_cast<std::size_t>(a)] != 1)
            throw format_error(ctx.location() + ": axis " + std::to_string(a) + " has extent " +
                               std::to_string(full[static_cast<std::size_t>(a)]) + ", not 1");
        marked[static_cast<std::size_t>(a)] = true;
    }
    shape_t shape;
    for (std::size_t d = 0, k = 0; d < marked.size(); ++d) {
        if (squeeze) {
            if (!marked[d]) shape.push_back(full[d]);
        } else {
            shape.push_back(marked[d] ? 1 : full[k++]);
        }
    }
    if (x) return set_view(ctx, n, *x, shape_t(shape.begin() + 1, shape.end()));
    ctx.set_output(n, reshaped(ctx, *c, std::move(shape)));
}

inline const bool squeeze_registered = register_builtin_op({"Squeeze", "Unsqueeze"}, import_squeeze);

}  // namespace xddp::io::onnx_detail
