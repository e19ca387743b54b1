#pragma once
// Gather over a 1-D constant (x.size(0) in PyTorch's shape plumbing) -> a constant.

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

inline void import_gather(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 2);
    if (ctx.is_activation(n, 0))
        throw unsupported_error(ctx.location() + ": Gather on an activation is not supported (only on shape constants)");
    const constant_ptr data = ctx.constant_input(n, 0, "data");
    const constant_ptr indices = ctx.constant_input(n, 1, "indices");
    if (indices->is_float) throw format_error(ctx.location() + ": indices are not integers");
    const std::int64_t axis = ctx.attributes(n).integer("axis", 0);
    if (data->shape.size() != 1 || (axis != 0 && axis != -1))
        throw unsupported_error(ctx.location() + ": Gather on data of shape " + xddp::to_string(data->shape) +
                                "; xddp folds Gather over 1-D shape constants only");
    const auto size = static_cast<std::int64_t>(data->shape[0]);
    auto c = new_constant(ctx, indices->size(), data->is_float);
    c->shape = indices->shape;
    for (std::int64_t k : indices->i) {
        if (k < -size || k >= size)
            throw format_error(ctx.location() + ": index " + std::to_string(k) + " is out of range for " +
                               std::to_string(size) + " entries");
        if (k < 0) k += size;
        if (data->is_float) c->f.push_back(data->f[static_cast<std::size_t>(k)]);
        else c->i.push_back(data->i[static_cast<std::size_t>(k)]);
    }
    ctx.set_output(n, constant_ptr(std::move(c)));
}

inline const bool gather_registered = register_builtin_op({"Gather"}, import_gather);

}  // namespace xddp::io::onnx_detail
