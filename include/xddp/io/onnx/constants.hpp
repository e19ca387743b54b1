#pragma once
// What op importers make of constant inputs: finite float weights, scalar parameters, integer vectors
// (shape plumbing), and new constants folded at import, each counted against the import's budget.

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/io/onnx/import_context.hpp"

namespace xddp::io::onnx_detail {

// A new constant of `elements` values, counted against the budget.
inline std::shared_ptr<constant> new_constant(onnx_import_context& ctx, std::size_t elements, bool is_float) {
    ctx.spend(elements, is_float ? 4 : 8);
    auto c = std::make_shared<constant>();
    c->is_float = is_float;
    return c;
}

// Input i as a float constant of finite values with `rank` dims (any rank if rank < 0).
inline constant_ptr weight(onnx_import_context& ctx, const pb::NodeProto& n, int i, std::string_view what, int rank = -1) {
    constant_ptr c = ctx.constant_input(n, i, what);
    const std::string name = std::string(what) + " '" + n.input(i) + "'";
    if (!c->is_float) throw format_error(ctx.location() + ": " + name + " is not FLOAT");
    if (rank >= 0 && c->shape.size() != static_cast<std::size_t>(rank))
        throw format_error(ctx.location() + ": " + name + " has shape " + xddp::to_string(c->shape) + ", expected " +
                           std::to_string(rank) + " dimensions");
    const auto bad = std::find_if(c->f.begin(), c->f.end(), [](float v) { return !std::isfinite(v); });
    if (bad != c->f.end())
        throw value_error(ctx.location() + ": " + name + " holds " + (std::isnan(*bad) ? "NaN" : "Inf") + " at flat index " +
                          std::to_string(bad - c->f.begin()) + "; expected finite values");
    return c;
}

// Optional input i as one float (of any shape), for Clip's bounds and Dropout's ratio.
inline std::optional<float> scalar_input(onnx_import_context& ctx, const pb::NodeProto& n, int i, std::string_view what) {
    if (!onnx_import_context::has_input(n, i)) return std::nullopt;
    constant_ptr c = ctx.constant_input(n, i, what);
    if (!c->is_float || c->size() != 1)
        throw format_error(ctx.location() + ": " + std::string(what) + " '" + n.input(i) + "' is not one FLOAT value");
    return c->f[0];
}

// The int64 vector of a 1-D (or scalar) integer constant.
inline const std::vector<std::int64_t>& int_vector(const onnx_import_context& ctx, const constant& c, std::string_view what) {
    if (c.is_float || c.shape.size() > 1)
        throw format_error(ctx.location() + ": " + std::string(what) + " is not a 1-D integer tensor");
    return c.i;
}

}  // namespace xddp::io::onnx_detail
