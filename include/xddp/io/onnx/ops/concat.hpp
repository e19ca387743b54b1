#pragma once
// Concat of activations along the channel axis (axis 1) -> concat (DenseNet, Inception, ShuffleNet v2);
// Concat of 1-D constants along axis 0 (the target shape of PyTorch's view(x.size(0), -1)) -> a constant.

#include <algorithm>
#include <vector>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/concat.hpp"

namespace xddp::io::onnx_detail {

// Every input an activation of one rank, joined along axis 1.
inline void import_activation_concat(onnx_import_context& ctx, const pb::NodeProto& n, std::int64_t axis) {
    std::vector<node_id> inputs;
    for (int i = 0; i < n.input_size(); ++i) {
        if (!ctx.is_activation(n, i))
            throw unsupported_error(ctx.location() + ": joins activations and the constant '" + n.input(i) +
                                    "'; xddp imports Concat of activations only, or of constants only");
        const view& x = ctx.activation(n, i);
        const auto rank = static_cast<std::int64_t>(x.shape.size() + 1);
        const std::int64_t a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw format_error(ctx.location() + ": axis " + std::to_string(axis) + " is out of range");
        if (a != 1)
            throw unsupported_error(ctx.location() + ": joins activations of shape (N, " + xddp::to_string(x.shape).substr(1) +
                                    " along axis " + std::to_string(a) + "; xddp imports Concat of activations along the channels (axis 1)");
        inputs.push_back(ctx.materialize(x));
    }
    ctx.emit(n, concat{}, std::move(inputs), ".concat");
}

inline void import_concat(onnx_import_context& ctx, const pb::NodeProto& n) {
    if (n.input_size() < 1) throw format_error(ctx.location() + ": has no inputs");
    const auto attributes = ctx.attributes(n);
    if (!attributes.find("axis")) throw format_error(ctx.location() + ": attribute 'axis' is missing");
    const std::int64_t axis = attributes.integer("axis", 0);
    for (int i = 0; i < n.input_size(); ++i) {
        if (n.input(i).empty()) throw format_error(ctx.location() + ": input " + std::to_string(i) + " is empty");
        if (ctx.is_activation(n, i)) return import_activation_concat(ctx, n, axis);
    }
    std::vector<constant_ptr> parts;
    std::size_t total = 0;
    for (int i = 0; i < n.input_size(); ++i) {
        parts.push_back(ctx.constant_input(n, i, "input"));
        total += std::min(parts.back()->size(), max_elements);
    }
    auto c = new_constant(ctx, total, parts[0]->is_float);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const constant_ptr& part = parts[i];
        if (part->shape.size() != 1 || (axis != 0 && axis != -1))
            throw unsupported_error(ctx.location() + ": Concat of shape " + xddp::to_string(part->shape) + " along axis " +
                                    std::to_string(axis) + "; xddp folds Concat of 1-D shape constants only");
        if (part->is_float != c->is_float) throw format_error(ctx.location() + ": inputs have different element types");
        c->f.insert(c->f.end(), part->f.begin(), part->f.end());
        c->i.insert(c->i.end(), part->i.begin(), part->i.end());
    }
    c->shape = {c->is_float ? c->f.size() : c->i.size()};
    ctx.set_output(n, constant_ptr(std::move(c)));
}

inline const bool concat_registered = register_builtin_op({"Concat"}, import_concat);

}  // namespace xddp::io::onnx_detail
