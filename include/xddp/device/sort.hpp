#pragma once
// The segmented bitonic sort of kernels/device/sort.hpp driven under a kernel policy: log2(padded) *
// (log2(padded) + 1) / 2 launches of one thread per entry, after one launch that fills each segment with
// 0, 1, ..., padded - 1.

#include <cstddef>
#include <cstdint>

#include "xddp/kernels/device/sort.hpp"

namespace xddp::detail::device {

// Sorts `segments` segments of `padded` positions each (a power of two) by `before`, into order.
template <class P, class Before>
void sort_segments(std::uint32_t* order, std::size_t segments, std::size_t padded, const Before& before) {
    namespace k = kernels::device;
    const std::size_t items = segments * padded;
    P::launch(items, k::iota_body{order, padded});
    for (std::size_t size = 2; size <= padded; size <<= 1)
        for (std::size_t step = size >> 1; step > 0; step >>= 1)
            P::launch(items, k::bitonic_step_body<Before>{order, padded, size, step, before});
}

}  // namespace xddp::detail::device
