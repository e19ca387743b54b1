#pragma once
// Relu -> relu, element-wise: the output keeps the input's view.

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/relu.hpp"

namespace xddp::io::onnx_detail {

inline void import_relu(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.import_elementwise(n, [] { return relu{}; });
}

inline const bool relu_registered = register_builtin_op({"Relu"}, import_relu);

}  // namespace xddp::io::onnx_detail
