#pragma once
// GlobalMaxPool -> max_pool2d over the whole plane; GlobalAveragePool -> adaptive_avg_pool2d to 1 x 1.

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/ops/pool.hpp"

namespace xddp::io::onnx_detail {

inline void import_global_pool(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);
    const node_id x = pool_input(ctx, n);
    const shape_t in = ctx.shape_of(x);
    if (n.op_type() == "GlobalMaxPool") ctx.emit(n, ctx.make_layer([&] { return max_pool2d({.kernel = {in[1], in[2]}}); }), {x});
    else ctx.emit(n, adaptive_avg_pool2d({1, 1}), {x});
}

inline const bool global_pool_registered = register_builtin_op({"GlobalAveragePool", "GlobalMaxPool"}, import_global_pool);

}  // namespace xddp::io::onnx_detail
