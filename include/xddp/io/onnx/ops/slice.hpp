#pragma once
// Slice: of an activation along the channel axis (axis 1) with step 1 -> channel_slice (torch's x[:, a:b]
// and chunk; ShuffleNet v2); of a 1-D constant (shape plumbing) -> a constant. starts, ends, axes and steps
// are constant inputs (opset 10 on) and are clamped as ONNX says. A slice of another axis of an
// activation, or with another step, is an unsupported_error naming the node.

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/layers/channel_slice.hpp"

namespace xddp::io::onnx_detail {

// Adds channel_slice(begin, channels) of x for output k of the node and makes it that output.
inline void emit_channel_slice(onnx_import_context& ctx, const pb::NodeProto& n, int k, const view& x, std::size_t begin,
                               std::size_t channels, const std::string& suffix) {
    const node_id in = ctx.materialize(x);
    const node_id id = ctx.add_layer(ctx.base_name(n, suffix), ctx.make_layer([&] { return channel_slice(begin, channels); }), {in});
    ctx.set_output(n, k, view{id, ctx.shape_of(id), {}});
}

// ONNX's clamping of one axis of extent dim: the first index and the bound of the range start:end:step.
inline std::pair<std::int64_t, std::int64_t> clamped_range(std::int64_t start, std::int64_t end, std::int64_t step,
                                                           std::int64_t dim) {
    auto clamp = [&](std::int64_t v, std::int64_t lo, std::int64_t hi) {
        if (v < 0) v = v < std::numeric_limits<std::int64_t>::min() + dim ? lo : v + dim;
        return std::clamp(v, lo, hi);
    };
    if (step > 0) return {clamp(start, 0, dim), clamp(end, 0, dim)};
    return {clamp(start, 0, dim - 1), clamp(end, -1, dim - 1)};
}

inline void import_slice(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 3, 5);
    const std::vector<std::int64_t> starts = int_vector(ctx, *ctx.constant_input(n, 1, "starts"), "starts");
    const std::vector<std::int64_t> ends = int_vector(ctx, *ctx.constant_input(n, 2, "ends"), "ends");
    std::vector<std::int64_t> axes, steps(starts.size(), 1);
    if (onnx_import_context::has_input(n, 3)) axes = int_vector(ctx, *ctx.constant_input(n, 3, "axes"), "axes");
    else
        for (std::size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<std::int64_t>(k));
    if (onnx_import_context::has_input(n, 4)) steps = int_vector(ctx, *ctx.constant_input(n, 4, "steps"), "steps");
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
        throw format_error(ctx.location() + ": starts, ends, axes and steps have " + std::to_string(starts.size()) + ", " +
                           std::to_string(ends.size()) + ", " + std::to_string(axes.size()) + " and " +
                           std::to_string(steps.size()) + " entries, expected as many each");
    const view* x = std::get_if<view>(&ctx.input(n, 0));
    constant_ptr c;
    if (!x) c = ctx.constant_input(n, 0, "data");
    shape_t dims = x ? x->shape : c->shape;
    if (x) dims.insert(dims.begin(), 0);  // the batch, never sliced
    const auto rank = static_cast<std::int64_t>(dims.size());
    // The range kept along each axis.
    std::vector<std::int64_t> first(dims.size(), 0), bound(dims.begin(), dims.end()), step(dims.size(), 1);
    std::vector<bool> seen(dims.size(), false);
    for (std::size_t k = 0; k < starts.size(); ++k) {
        std::int64_t a = axes[k];
        if (a < -rank || a >= rank) throw format_error(ctx.location() + ": axis " + std::to_string(a) + " is out of range");
        if (a < 0) a += rank;
        const auto d = static_cast<std::size_t>(a);
        if (seen[d]) throw format_error(ctx.location() + ": axis " + std::to_string(a) + " appears twice");
        seen[d] = true;
        if (steps[k] == 0) throw format_error(ctx.location() + ": step 0 along axis " + std::to_string(a));
        if (x && d == 0) throw unsupported_error(ctx.location() + ": slices the batch dimension (axis 0)");
        std::tie(first[d], bound[d]) = clamped_range(starts[k], ends[k], steps[k], static_cast<std::int64_t>(dims[d]));
        step[d] = steps[k];
    }
    if (!x) {  // a constant, any axes and steps (shape plumbing: F.pad's pads reversed pairwise)
        shape_t out(dims.size());
        for (std::size_t d = 0; d < dims.size(); ++d) {
            const std::int64_t span = step[d] > 0 ? bound[d] - first[d] : first[d] - bound[d];
            const std::int64_t magnitude = step[d] > 0 ? step[d] : -step[d];
            out[d] = span <= 0 ? 0 : static_cast<std::size_t>((span - 1) / magnitude + 1);
        }
        const std::vector<std::size_t> strides = strides_of(c->shape);
        return ctx.set_output(n, rearranged(ctx, *c, std::move(out), [&](const std::vector<std::size_t>& index) {
            std::size_t from = 0;
            for (std::size_t d = 0; d < index.size(); ++d)
                from += static_cast<std::size_t>(first[d] + static_cast<std::int64_t>(index[d]) * step[d]) * strides[d];
            return from;
        }));
    }
    for (std::size_t d = 2; d < dims.size(); ++d)
        if (first[d] != 0 || bound[d] != static_cast<std::int64_t>(dims[d]) || step[d] != 1)
            throw unsupported_error(ctx.location() + ": slices axis " + std::to_string(d) + " of (N, " +
                                    xddp::to_string(x->shape).substr(1) +
                                    "; xddp imports Slice of activations along the channels (axis 1) only");
    if (dims.size() < 2) throw unsupported_error(ctx.location() + ": slices an activation without a channel axis");
    if (step[1] != 1)
        throw unsupported_error(ctx.location() + ": slices the channels with step " + std::to_string(step[1]) +
                                "; xddp imports Slice of activations with step 1 only");
    if (bound[1] <= first[1])
        throw unsupported_error(ctx.location() + ": the slice of channels [" + std::to_string(first[1]) + ", " +
                                std::to_string(bound[1]) + ") is empty");
    if (first[1] == 0 && bound[1] == static_cast<std::int64_t>(dims[1])) return ctx.set_output(n, *x);  // all of it
    emit_channel_slice(ctx, n, 0, *x, static_cast<std::size_t>(first[1]), static_cast<std::size_t>(bound[1] - first[1]), ".slice");
}

inline const bool slice_registered = register_builtin_op({"Slice"}, import_slice);

}  // namespace xddp::io::onnx_detail
