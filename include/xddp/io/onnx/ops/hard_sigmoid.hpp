#pragma once
// HardSigmoid -> hard_sigmoid with the node's alpha (ONNX's default 0.2) and beta (0.5), element-wise.
// PyTorch's Hardsigmoid exports as alpha = 1/6, which hard_sigmoid computes with PyTorch's own bits.
// (x * HardSigmoid(x), PyTorch's Hardswish at opset 13, becomes one hard_swish: ops/mul.hpp.)

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/hard_sigmoid.hpp"

namespace xddp::io::onnx_detail {

inline void import_hard_sigmoid(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.import_elementwise(n, [&] {
        const auto attributes = ctx.attributes(n);
        return hard_sigmoid{attributes.finite_real("alpha", 0.2f), attributes.finite_real("beta", 0.5f)};
    });
}

inline const bool hard_sigmoid_registered = register_builtin_op({"HardSigmoid"}, import_hard_sigmoid);

}  // namespace xddp::io::onnx_detail
