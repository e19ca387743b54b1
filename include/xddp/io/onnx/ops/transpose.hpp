#pragma once
// Transpose of a constant (shape plumbing: F.pad's pads) -> a constant; of an activation, only as the middle of
// a channel shuffle, as torchvision's ShuffleNet v2 exports it:
//   Reshape (N, C, H, W) -> (N, g, C/g, H, W), Transpose perm (0, 2, 1, 3, 4), Reshape back to (N, C, H, W).
// The Transpose of such a view becomes one channel_shuffle(g) node, whose output seen as (N, C/g, g, H, W) is
// exactly the transposed tensor, so the Reshape back is a plain view of it. Any other Transpose is an
// unsupported_error naming the node: xddp's layers have no general transposition.

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "xddp/io/onnx/constants.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/views.hpp"
#include "xddp/layers/channel_shuffle.hpp"

namespace xddp::io::onnx_detail {

// Output dim d is input dim perm[d] (reversed dims without perm, as ONNX says).
inline void import_constant_transpose(onnx_import_context& ctx, const pb::NodeProto& n, const std::vector<std::int64_t>& given) {
    const constant_ptr c = ctx.constant_input(n, 0, "data");
    const std::size_t rank = c->shape.size();
    std::vector<std::size_t> perm(rank);
    for (std::size_t d = 0; d < rank; ++d) perm[d] = rank - 1 - d;
    if (!given.empty()) {
        if (given.size() != rank) throw format_error(ctx.location() + ": perm has " + std::to_string(given.size()) +
                                                     " entries for data of rank " + std::to_string(rank));
        std::vector<bool> used(rank, false);
        for (std::size_t d = 0; d < rank; ++d) {
            if (given[d] < 0 || given[d] >= static_cast<std::int64_t>(rank) || used[static_cast<std::size_t>(given[d])])
                throw format_error(ctx.location() + ": perm is not a permutation of 0.." + std::to_string(rank - 1));
            perm[d] = static_cast<std::size_t>(given[d]);
            used[perm[d]] = true;
        }
    }
    shape_t out(rank);
    for (std::size_t d = 0; d < rank; ++d) out[d] = c->shape[perm[d]];
    const std::vector<std::size_t> strides = strides_of(c->shape);
    ctx.set_output(n, rearranged(ctx, *c, std::move(out), [&](const std::vector<std::size_t>& index) {
        std::size_t from = 0;
        for (std::size_t d = 0; d < rank; ++d) from += index[d] * strides[perm[d]];
        return from;
    }));
}

inline void import_transpose(onnx_import_context& ctx, const pb::NodeProto& n) {
    ctx.expect_inputs(n, 1, 1);
    const std::vector<std::int64_t> perm = ctx.attributes(n).integers("perm").value_or(std::vector<std::int64_t>{});
    if (!ctx.is_activation(n, 0)) return import_constant_transpose(ctx, n, perm);
    const view x = ctx.activation(n, 0);  // a copy: set_output changes the value table
    // The view (g, C/g, rest...) of a node (C, rest...), and perm (0, 2, 1, 3, ...): a channel shuffle.
    const shape_t& node = ctx.shape_of(x.node);
    bool shuffle = x.shape.size() >= 2 && node.size() + 1 == x.shape.size() && perm.size() == x.shape.size() + 1 &&
                   node[0] == x.shape[0] * x.shape[1] && std::equal(node.begin() + 1, node.end(), x.shape.begin() + 2);
    for (std::size_t d = 0; shuffle && d < perm.size(); ++d)
        shuffle = perm[d] == static_cast<std::int64_t>(d == 1 ? 2 : d == 2 ? 1 : d);
    if (!shuffle)
        throw unsupported_error(ctx.location() + ": transposes (N, " + xddp::to_string(x.shape).substr(1) + " of a node (N, " +
                                xddp::to_string(node).substr(1) +
                                "; xddp imports a Transpose only as the channel shuffle Reshape (N, g, C/g, H, W) -> "
                                "Transpose perm (0, 2, 1, 3, 4) -> Reshape (N, C, H, W)");
    const std::size_t groups = x.shape[0];
    const node_id id = ctx.add_layer(ctx.base_name(n, ".channel_shuffle"), channel_shuffle(groups), {x.node});
    shape_t seen = x.shape;
    std::swap(seen[0], seen[1]);
    ctx.set_output(n, view{id, std::move(seen), ctx.base_name(n)});
}

inline const bool transpose_registered = register_builtin_op({"Transpose"}, import_transpose);

}  // namespace xddp::io::onnx_detail
