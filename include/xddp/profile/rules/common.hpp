#pragma once
// What every contribution rule shares: the contribution_rule customization point and its synapse record
// (core/contribution_rule.hpp), the flat neuron indexing of a neuron policy, the scratch buffers one
// backtrace reuses from layer to layer, the selection rule, and a SIMD float type. A rule of a user's own
// layer includes this header.
//
// Flat neuron indices (FORMATS.md): a (C, H, W) activation has C channel neurons or C*H*W element neurons
// c*H*W + i*W + j; any other activation is a vector whose neuron n is its element n under both policies
// (a linear layer has no channels: the policy says so here, not through a runtime string).

#include <algorithm>
#include <cstddef>
#include <vector>

#include "xddp/core/contribution_rule.hpp"
#include "xddp/core/neuron_policy.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/profile/selection.hpp"

namespace xddp {

// True for a (C, H, W) activation, the shape whose channels are neurons under channel_neurons.
inline bool planar(const shape_t& shape) noexcept { return shape.size() == 3; }

// Number of neurons of an activation of this shape (without batch) under policy P.
template <neuron_policy P>
std::size_t neuron_count(const shape_t& shape) {
    if constexpr (std::same_as<P, channel_neurons>)
        if (planar(shape)) return shape[0];
    return element_count(shape);
}

namespace detail::rules {

// One SIMD value of floats through the GCC/Clang vector extension, for the loops compilers do not vectorize
// on their own (float sums and maxima, whose order they may not change): 8 floats with AVX, else 4 (SSE2,
// NEON); a scalar elsewhere.
#if defined(__GNUC__)
#if defined(__AVX__)
inline constexpr std::size_t simd_floats = 8;
#else
inline constexpr std::size_t simd_floats = 4;
#endif
using simd_float = float __attribute__((vector_size(simd_floats * sizeof(float))));
inline simd_float simd_max(simd_float a, simd_float b) { return a > b ? a : b; }
#else
inline constexpr std::size_t simd_floats = 1;
using simd_float = float;
inline simd_float simd_max(simd_float a, simd_float b) { return std::max(a, b); }
#endif

}  // namespace detail::rules

// Buffers a contribution rule reuses across neurons and layers of one backtrace; one per thread.
struct rule_scratch {
    selection_scratch select;
    std::vector<selected> picked;
    std::vector<float> values;
    std::vector<float> buffer;
    std::vector<float> patch;
    std::vector<std::size_t> positions;
    std::vector<double> sums;
};

}  // namespace xddp
