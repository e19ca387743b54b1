#pragma once
// HardSwish (opset 14) -> hard_swish, element-wise. (At opset 13 PyTorch writes Hardswish as
// x * HardSigmoid(x), which ops/mul.hpp joins into one hard_swish.)

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/hard_swish.hpp"

namespace xddp::io::onnx_detail {

inline void import_hard_swish(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.import_elementwise(n, [] { return hard_swish{}; });
}

inline const bool hard_swish_registered = register_builtin_op({"HardSwish"}, import_hard_swish);

}  // namespace xddp::io::onnx_detail
