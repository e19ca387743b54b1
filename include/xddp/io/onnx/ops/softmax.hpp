#pragma once
// Softmax over the channel axis -> softmax. The axis must resolve to 1 (the axis after the batch): at
// opset 13 and later Softmax works along its axis (default -1, so (N, C) logits qualify); before opset 13
// it works on the input flattened to 2-D at its axis (default 1), which is the channel axis only for an
// (N, C) input. Any other axis is an unsupported_error.

#include <cstdint>
#include <string>

#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/softmax.hpp"

namespace xddp::io::onnx_detail {

inline void import_softmax(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);
    const view x = ctx.activation(n, 0);
    const std::int64_t rank = static_cast<std::int64_t>(x.shape.size()) + 1;
    const bool per_axis = ctx.opset() >= 13;
    const std::int64_t axis = ctx.attributes(n).integer("axis", per_axis ? -1 : 1);
    const std::int64_t resolved = axis < 0 ? axis + rank : axis;
    if (resolved != 1 || (!per_axis && rank != 2))
        throw unsupported_error(ctx.location() + ": softmax along axis " + std::to_string(axis) + " of (N, " +
                                xddp::to_string(x.shape).substr(1) + (per_axis ? "" : " (flattened from that axis on)") +
                                "; xddp imports Softmax over the channel axis 1 only");
    ctx.emit(n, softmax{}, {ctx.materialize(x)});
}

inline const bool softmax_registered = register_builtin_op({"Softmax"}, import_softmax);

}  // namespace xddp::io::onnx_detail
