#pragma once
// LeakyRelu -> leaky_relu with the node's alpha (default 0.01), element-wise.

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/leaky_relu.hpp"

namespace xddp::io::onnx_detail {

inline void import_leaky_relu(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.import_elementwise(n, [&] { return leaky_relu{ctx.attributes(n).finite_real("alpha", 0.01f)}; });
}

inline const bool leaky_relu_registered = register_builtin_op({"LeakyRelu"}, import_leaky_relu);

}  // namespace xddp::io::onnx_detail
