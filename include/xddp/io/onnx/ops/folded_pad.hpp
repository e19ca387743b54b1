#pragma once
// A zero Pad folded into the Conv or AveragePool that reads it (ops/pad.hpp): the unpadded input and the
// padding it adds, which those ops' importers add to their own.

#include <array>
#include <cstddef>

#include "xddp/core/shape.hpp"
#include "xddp/layers/window.hpp"
#include "xddp/model/graph.hpp"

namespace xddp::io::onnx_detail {

struct folded_pad {
    node_id source = 0;                   // the (N, C, H, W) node the Pad read
    std::array<std::size_t, 4> pads{};    // top, left, bottom, right
};

// The spatial extent (H, W) of the input as the op after a folded Pad sees it.
inline pair_t padded_extent(const shape_t& in, const folded_pad* pad) {
    if (!pad) return {in[1], in[2]};
    return {in[1] + pad->pads[0] + pad->pads[2], in[2] + pad->pads[1] + pad->pads[3]};
}

// An op's own pads (top, left, bottom, right) plus those of the Pad folded into it.
inline void add_folded_pads(std::array<std::size_t, 4>& pads, const folded_pad* pad) {
    if (pad)
        for (std::size_t k = 0; k < 4; ++k) pads[k] += pad->pads[k];
}

}  // namespace xddp::io::onnx_detail
