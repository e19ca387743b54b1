#pragma once
// Identity: its output is its input, activation or constant; no node is added.

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

inline void import_identity(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);
    ctx.set_output(n, ctx.input(n, 0));
}

inline const bool identity_registered = register_builtin_op({"Identity"}, import_identity);

}  // namespace xddp::io::onnx_detail
