#pragma once
// What op importers make of constant inputs: finite float weights, scalar parameters, integer vectors
// (shape plumbing), and new constants folded at import, each counted against the import's budget.

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

// A new constant of the given shape whose element at each index (row-major, one entry per dim of `shape`)
// is c's element at the flat index `source(index)` returns (Slice and Transpose of constants).
template <class Source>
constant_ptr rearranged(onnx_import_context& ctx, const constant& c, shape_t shape, Source source) {
    const std::size_t count = element_count(shape);
    auto r = new_constant(ctx, count, c.is_float);
    std::vector<std::size_t> index(shape.size(), 0);
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t from = source(std::as_const(index));
        if (c.is_float) r->f.push_back(c.f.at(from));
        else r->i.push_back(c.i.at(from));
        for (std::size_t d = shape.size(); d-- > 0;) {  // the next index, last dim fastest
            if (++index[d] < shape[d]) break;
            index[d] = 0;
        }
    }
    r->shape = std::move(shape);
    return r;
}

// Row-major strides of a shape.
inline std::vector<std::size_t> strides_of(const shape_t& shape) {
    std::vector<std::size_t> s(shape.size(), 1);
    for (std::size_t d = shape.size(); d-- > 1;) s[d - 1] = s[d] * shape[d];
    return s;
}

}  // namespace xddp::io::onnx_detail
