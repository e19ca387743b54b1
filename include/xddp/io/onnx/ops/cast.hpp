#pragma once
// Cast of a constant between FLOAT and INT64/INT32 -> a constant (the batch size cannot become a float).

#include <cmath>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

inline void import_cast(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);
    if (ctx.is_activation(n, 0))
        throw unsupported_error(ctx.location() + ": Cast of an activation is not supported (only of shape constants)");
    const constant_ptr in = ctx.constant_input(n, 0, "input");
    const std::int64_t to = ctx.attributes(n).integer("to", 0);
    auto c = new_constant(ctx, in->size(), to == pb::TensorProto_DataType_FLOAT);
    c->shape = in->shape;
    if (to == pb::TensorProto_DataType_FLOAT) {
        c->f = in->f;
        for (std::int64_t e : in->i) {
            if (e == batch_extent) throw unsupported_error(ctx.location() + ": casts the batch size to FLOAT");
            c->f.push_back(static_cast<float>(e));
        }
    } else if (to == pb::TensorProto_DataType_INT64 || to == pb::TensorProto_DataType_INT32) {
        c->i = in->i;
        for (float e : in->f) {
            if (!(std::fabs(e) < 9.0e15f))
                throw format_error(ctx.location() + ": cannot cast " + std::to_string(e) + " to an integer");
            c->i.push_back(static_cast<std::int64_t>(e));
        }
    } else {
        throw unsupported_error(ctx.location() + ": Cast to " + data_type_name(static_cast<int>(to)) +
                                " is not supported (FLOAT, INT64, INT32 only)");
    }
    ctx.set_output(n, constant_ptr(std::move(c)));
}

inline const bool cast_registered = register_builtin_op({"Cast"}, import_cast);

}  // namespace xddp::io::onnx_detail
