#pragma once
// Dropout -> dropout: the identity at inference, kept as a node like PyTorch's module; element-wise.

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/dropout.hpp"

namespace xddp::io::onnx_detail {

inline void import_dropout(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 3);
    const view& x = ctx.activation(n, 0);
    ctx.expect_single_output(n);
    const float ratio = scalar_input(ctx, n, 1, "ratio").value_or(ctx.attributes(n).real("ratio").value_or(0.5f));
    if (!(ratio >= 0.0f && ratio < 1.0f))
        throw format_error(ctx.location() + ": ratio " + std::to_string(ratio) + " is not in [0, 1)");
    ctx.emit_elementwise(n, dropout{ratio}, x);
}

inline const bool dropout_registered = register_builtin_op({"Dropout"}, import_dropout);

}  // namespace xddp::io::onnx_detail
