#pragma once
// BatchNormalization (inference) -> batch_norm with the node's scale, bias and running statistics.

#include <algorithm>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/batch_norm.hpp"

namespace xddp::io::onnx_detail {

inline void import_batch_norm(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 5, 5);
    ctx.expect_single_output(n);
    const auto attributes = ctx.attributes(n);
    if (attributes.flag("training_mode"))
        throw unsupported_error(ctx.location() + ": training_mode = 1; xddp imports BatchNormalization for inference");
    const node_id x = ctx.materialize(ctx.activation(n, 0));
    const std::size_t channels = ctx.shape_of(x)[0];
    const float eps = attributes.finite_real("epsilon", 1e-5f);
    if (!(eps > 0.0f)) throw unsupported_error(ctx.location() + ": epsilon " + number_text(eps) + " is not positive");
    batch_norm layer(channels, eps);
    const char* names[] = {"scale", "B", "input_mean", "input_var"};
    xt::xtensor<float, 1>* targets[] = {&layer.weight(), &layer.bias(), &layer.running_mean(), &layer.running_var()};
    for (int i = 0; i < 4; ++i) {
        const constant_ptr p = weight(ctx, n, i + 1, names[i]);
        if (p->shape != shape_t{channels})
            throw format_error(ctx.location() + ": " + names[i] + " '" + n.input(i + 1) + "' has shape " +
                               xddp::to_string(p->shape) + ", expected (" + std::to_string(channels) + ",)");
        std::copy(p->f.begin(), p->f.end(), targets[i]->data());
    }
    ctx.emit(n, std::move(layer), {x});
}

inline const bool batch_norm_registered = register_builtin_op({"BatchNormalization"}, import_batch_norm);

}  // namespace xddp::io::onnx_detail
