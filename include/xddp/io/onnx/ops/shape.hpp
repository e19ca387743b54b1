#pragma once
// Shape -> an int64 constant of the input's dims (start and end select a range); an activation's batch
// size is unknown at import and is carried as batch_extent for the Reshape it usually feeds.

#include <algorithm>
#include <vector>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

inline void import_shape(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);
    std::vector<std::int64_t> dims;
    if (const view* x = std::get_if<view>(&ctx.input(n, 0))) {
        dims.push_back(batch_extent);
        for (std::size_t d : x->shape) dims.push_back(static_cast<std::int64_t>(d));
    } else {
        // Held by name: a range-for over a member of the temporary would read the freed constant.
        const constant_ptr input = ctx.constant_input(n, 0, "input");
        for (std::size_t d : input->shape) dims.push_back(static_cast<std::int64_t>(d));
    }
    const auto rank = static_cast<std::int64_t>(dims.size());
    auto clamp = [&](std::int64_t e) { return std::clamp(e < 0 ? e + rank : e, std::int64_t{0}, rank); };
    const auto attributes = ctx.attributes(n);
    const std::int64_t begin = clamp(attributes.integer("start", 0)), end = clamp(attributes.integer("end", rank));
    auto c = new_constant(ctx, dims.size(), false);
    if (begin < end) c->i.assign(dims.begin() + begin, dims.begin() + end);
    c->shape = {c->i.size()};
    ctx.set_output(n, constant_ptr(std::move(c)));
}

inline const bool shape_registered = register_builtin_op({"Shape"}, import_shape);

}  // namespace xddp::io::onnx_detail
