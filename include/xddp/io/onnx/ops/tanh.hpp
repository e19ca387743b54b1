#pragma once
// Tanh -> tanh, element-wise.

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/tanh.hpp"

namespace xddp::io::onnx_detail {

inline void import_tanh(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.import_elementwise(n, [] { return xddp::tanh{}; });
}

inline const bool tanh_registered = register_builtin_op({"Tanh"}, import_tanh);

}  // namespace xddp::io::onnx_detail
