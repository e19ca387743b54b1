#pragma once
// Elu -> elu with the node's alpha (default 1), element-wise.

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/elu.hpp"

namespace xddp::io::onnx_detail {

inline void import_elu(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.import_elementwise(n, [&] { return elu{ctx.attributes(n).finite_real("alpha", 1.0f)}; });
}

inline const bool elu_registered = register_builtin_op({"Elu"}, import_elu);

}  // namespace xddp::io::onnx_detail
