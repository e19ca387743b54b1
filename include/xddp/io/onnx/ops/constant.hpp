#pragma once
// Constant: its value (a tensor, or one of the value_float(s) / value_int(s) shorthands) becomes a
// constant the shape plumbing and the layers read.

#include <memory>
#include <utility>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

inline void import_constant(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 0, 0);
    if (n.attribute_size() != 1) throw format_error(ctx.location() + ": expected exactly one value attribute");
    const pb::AttributeProto& a = n.attribute(0);
    const auto attributes = ctx.attributes(n);
    auto c = std::make_shared<constant>();
    if (a.name() == "value") {
        attributes.expect_type(a, pb::AttributeProto_AttributeType_TENSOR, a.has_t(), "TENSOR");
        return ctx.set_output(n, ctx.decode_tensor(a.t(), "node '" + ctx.display_name(n) + "' value"));
    } else if (a.name() == "value_float") {
        attributes.expect_type(a, pb::AttributeProto_AttributeType_FLOAT, a.has_f(), "FLOAT");
        c->f = {a.f()};
    } else if (a.name() == "value_floats") {
        attributes.expect_type(a, pb::AttributeProto_AttributeType_FLOATS, a.floats_size() > 0, "FLOATS");
        c->f.assign(a.floats().begin(), a.floats().end());
        c->shape = {c->f.size()};
    } else if (a.name() == "value_int") {
        attributes.expect_type(a, pb::AttributeProto_AttributeType_INT, a.has_i(), "INT");
        c->is_float = false;
        c->i = {a.i()};
    } else if (a.name() == "value_ints") {
        attributes.expect_type(a, pb::AttributeProto_AttributeType_INTS, a.ints_size() > 0, "INTS");
        c->is_float = false;
        c->i.assign(a.ints().begin(), a.ints().end());
        c->shape = {c->i.size()};
    } else {
        throw unsupported_error(ctx.location() + ": a Constant given by '" + a.name() + "' is not supported");
    }
    ctx.set_output(n, constant_ptr(std::move(c)));
}

inline const bool constant_registered = register_builtin_op({"Constant"}, import_constant);

}  // namespace xddp::io::onnx_detail
