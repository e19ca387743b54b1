#pragma once
// Clip -> relu when it clips at [0, inf), else hardtanh (ReLU6 is Clip(0, 6)), element-wise.

#include <cmath>
#include <limits>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/hardtanh.hpp"
#include "xddp/layers/relu.hpp"

namespace xddp::io::onnx_detail {

inline void import_clip(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 3);
    const view& x = ctx.activation(n, 0);
    // Bounds are inputs since opset 11 and attributes before; either is read.
    const auto attributes = ctx.attributes(n);
    const float inf = std::numeric_limits<float>::infinity();
    const float lo = scalar_input(ctx, n, 1, "min").value_or(attributes.real("min").value_or(-inf));
    const float hi = scalar_input(ctx, n, 2, "max").value_or(attributes.real("max").value_or(inf));
    if (std::isnan(lo) || std::isnan(hi)) throw format_error(ctx.location() + ": a bound is NaN");
    if (lo > hi) throw unsupported_error(ctx.location() + ": min " + std::to_string(lo) + " exceeds max " + std::to_string(hi));
    if (lo == 0.0f && hi == inf) ctx.emit_elementwise(n, relu{}, x);
    else ctx.emit_elementwise(n, hardtanh{lo, hi}, x);
}

inline const bool clip_registered = register_builtin_op({"Clip"}, import_clip);

}  // namespace xddp::io::onnx_detail
