#pragma once
// Sigmoid -> sigmoid, element-wise.

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/sigmoid.hpp"

namespace xddp::io::onnx_detail {

inline void import_sigmoid(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.import_elementwise(n, [] { return sigmoid{}; });
}

inline const bool sigmoid_registered = register_builtin_op({"Sigmoid"}, import_sigmoid);

}  // namespace xddp::io::onnx_detail
