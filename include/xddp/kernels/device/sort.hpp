#pragma once
// A segmented bitonic sort of positions: segments of `padded` (a power of two) entries each, sorted
// independently by a comparator before(segment, a, b) that is a strict total order. One launch per
// (k, j) step, one thread per entry; the thread of the lower index of each pair swaps, so no two threads
// write the same entry. Positions at or past a segment's length compare after every real position, in
// index order, so a segment may be padded with anything.
//
// The comparators used by the contribution profiler: values descending, equal values by position
// ascending (the order of specs/ddp.md's stable sort), and packed states ascending as little-endian
// integers (TensorState's order).

#include <cstddef>
#include <cstdint>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// Smallest power of two >= n (1 for n = 0).
XDDP_HOST_DEVICE std::size_t next_power_of_two(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

// order[s*padded + i] = i.
struct iota_body {
    std::uint32_t* order;
    std::size_t padded;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { order[t] = static_cast<std::uint32_t>(t % padded); }
};

// Values of segment s at values + s*stride; length n, or lengths[s] where lengths is not null.
struct descending_values {
    const float* values;
    std::size_t stride;
    std::size_t n;
    const std::uint32_t* lengths;

    XDDP_HOST_DEVICE bool operator()(std::size_t s, std::uint32_t a, std::uint32_t b) const {
        const std::size_t len = lengths ? lengths[s] : n;
        if (a >= len || b >= len) return b >= len && (a < len || a < b);
        const float va = values[s * stride + a], vb = values[s * stride + b];
        return va > vb || (va == vb && a < b);
    }
};

// Packed states of `words` words each (one segment of `count` states): ascending as little-endian
// integers, the last word most significant; equal states by position.
struct ascending_states {
    const std::uint64_t* states;
    std::size_t words;
    std::size_t count;

    XDDP_HOST_DEVICE bool operator()(std::size_t, std::uint32_t a, std::uint32_t b) const {
        if (a >= count || b >= count) return b >= count && (a < count || a < b);
        for (std::size_t w = words; w-- > 0;) {
            const std::uint64_t x = states[a * words + w], y = states[b * words + w];
            if (x != y) return x < y;
        }
        return a < b;
    }
};

template <class Before>
struct bitonic_step_body {
    std::uint32_t* order;
    std::size_t padded;
    std::size_t k, j;  // the merge size and the compare distance of this step
    Before before;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t s = t / padded, i = t % padded, l = i ^ j;
        if (l <= i) return;
        std::uint32_t* o = order + s * padded;
        const std::uint32_t a = o[i], b = o[l];
        const bool forward = (i & k) == 0;
        if (forward ? before(s, b, a) : before(s, a, b)) {
            o[i] = b;
            o[l] = a;
        }
    }
};

}  // namespace xddp::kernels::device
