#pragma once
// ReduceMean and ReduceMax over the spatial axes (2, 3) of (N, C, H, W): global pooling, as x.mean((2, 3))
// and x.amax((2, 3)) export. ReduceMean -> adaptive_avg_pool2d to (1, 1), ReduceMax -> max_pool2d over the
// whole plane (specs/ddp.md section 9: the rules of those pools); with keepdims 0 the output is seen as
// (N, C). Reducing other axes is an unsupported_error naming the node.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/pool.hpp"

namespace xddp::io::onnx_detail {

inline void import_reduce(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);  // axes is an attribute up to opset 17
    const view& v = ctx.activation(n, 0);
    const auto attributes = ctx.attributes(n);
    const auto rank = static_cast<std::int64_t>(v.shape.size() + 1);
    std::vector<std::int64_t> axes = attributes.integers("axes").value_or(std::vector<std::int64_t>{});
    for (std::int64_t& a : axes) {
        if (a < -rank || a >= rank) throw format_error(ctx.location() + ": axis " + std::to_string(a) + " is out of range");
        if (a < 0) a += rank;
    }
    std::sort(axes.begin(), axes.end());
    if (rank != 4 || axes != std::vector<std::int64_t>{2, 3})
        throw unsupported_error(ctx.location() + ": reduces (N, " + xddp::to_string(v.shape).substr(1) + " over axes " +
                                (axes.empty() ? std::string("all") : xddp::to_string(shape_t(axes.begin(), axes.end()))) +
                                "; xddp imports " + n.op_type() + " over the spatial axes (2, 3) of (N, C, H, W) only");
    const bool keepdims = attributes.integer("keepdims", 1) != 0;
    const node_id x = pool_input(ctx, n);
    const shape_t in = ctx.shape_of(x);
    node_id id;
    if (n.op_type() == "ReduceMax")
        id = ctx.emit(n, ctx.make_layer([&] { return max_pool2d({.kernel = {in[1], in[2]}}); }), {x});
    else
        id = ctx.emit(n, adaptive_avg_pool2d({1, 1}), {x});
    if (!keepdims) ctx.set_output(n, view{id, {in[0]}, ctx.base_name(n)});
}

inline const bool reduce_registered = register_builtin_op({"ReduceMean", "ReduceMax"}, import_reduce);

}  // namespace xddp::io::onnx_detail
