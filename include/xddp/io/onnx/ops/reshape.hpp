#pragma once
// Reshape to a constant target shape: of an activation, a view (the batch dimension kept, whether the
// target copies it with 0, takes it from Shape, or names the batch size the model was exported with);
// of a constant, a constant with new dims.

#include <optional>
#include <string>
#include <vector>

#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/views.hpp"

namespace xddp::io::onnx_detail {

// "[N, -1]": a target shape, the batch extent from Shape written N.
inline std::string dims_string(const std::vector<std::int64_t>& v) {
    std::string s = "[";
    for (std::size_t k = 0; k < v.size(); ++k)
        s.append(k ? ", " : "").append(v[k] == batch_extent ? std::string("N") : std::to_string(v[k]));
    return s + "]";
}

inline void import_reshape(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 2, 2);
    const bool allow_zero = ctx.attributes(n).flag("allowzero");
    const constant_ptr target_c = ctx.constant_input(n, 1, "shape");
    const std::vector<std::int64_t>& target = int_vector(ctx, *target_c, "shape");
    if (target.empty() || target.size() > 64)
        throw unsupported_error(ctx.location() + ": target shape " + dims_string(target) + " has " + std::to_string(target.size()) +
                                " dimensions");
    const view* x = std::get_if<view>(&ctx.input(n, 0));
    constant_ptr c;
    if (!x) c = ctx.constant_input(n, 0, "data");
    // The input's full dims; an activation's first one is the batch.
    std::vector<std::int64_t> in;
    if (x) in.push_back(batch_extent);
    for (std::size_t d : x ? x->shape : c->shape) in.push_back(static_cast<std::int64_t>(d));
    std::vector<std::int64_t> out;
    std::optional<std::size_t> infer;
    for (std::size_t k = 0; k < target.size(); ++k) {
        std::int64_t e = target[k];
        if (e == 0 && !allow_zero) {
            if (k >= in.size())
                throw format_error(ctx.location() + ": target shape " + dims_string(target) + " copies dimension " + std::to_string(k) +
                                   " the input lacks");
            e = in[k];
        }
        if (e == -1) {
            if (infer) throw format_error(ctx.location() + ": target shape " + dims_string(target) + " has two -1 entries");
            infer = k;
        } else if (e == batch_extent) {
            if (k != 0 || !x) throw unsupported_error(ctx.location() + ": target shape " + dims_string(target) + " moves the batch dimension");
        } else if (e < 1 || e > max_extent) {
            throw format_error(ctx.location() + ": target shape " + dims_string(target) + " holds " + std::to_string(e));
        } else if (k == 0 && x && e != ctx.declared_batch()) {
            throw unsupported_error(ctx.location() + ": target shape " + dims_string(target) +
                                    " fixes the batch size; export with view(x.size(0), -1) or a dynamic batch");
        } else if (k == 0 && x) {
            e = batch_extent;  // the batch size the model was exported with
        }
        out.push_back(e);
    }
    // Per-sample dims (an activation's batch entry dropped), one of them possibly inferred.
    const std::size_t first = x ? 1 : 0;
    const std::size_t count = element_count(x ? x->shape : c->shape);
    std::size_t known = 1;
    for (std::size_t k = first; k < out.size(); ++k)
        if (!infer || k != *infer) {
            known *= static_cast<std::size_t>(out[k]);
            if (known > max_elements) throw format_error(ctx.location() + ": target shape " + dims_string(target) + " is too large");
        }
    shape_t shape;
    for (std::size_t k = first; k < out.size(); ++k) {
        if (infer && k == *infer) {
            if (known == 0 || count % known != 0)
                throw format_error(ctx.location() + ": cannot reshape " + std::to_string(count) + " elements to " + dims_string(target));
            shape.push_back(count / known);
        } else {
            shape.push_back(static_cast<std::size_t>(out[k]));
        }
    }
    if (element_count(shape) != count)
        throw format_error(ctx.location() + ": cannot reshape " + std::to_string(count) + " elements per sample to " +
                           dims_string(target) + (infer && *infer == 0 ? " without changing the batch size" : ""));
    if (x) return set_view(ctx, n, *x, std::move(shape));
    ctx.set_output(n, reshaped(ctx, *c, std::move(shape)));
}

inline const bool reshape_registered = register_builtin_op({"Reshape"}, import_reshape);

}  // namespace xddp::io::onnx_detail
