#pragma once
// State packing and counting (specs/tensorstate.md, state/pack.hpp and state/counter.hpp on the host) as
// kernel bodies: one thread per (state, word) packs up to 64 neurons (bit c % 64 of word c / 64, set iff
// the value is > 0); the states are then sorted (sort.hpp, ascending_states) and run_starts flags the
// first state of each run of equal states, so that the distinct states come out in TensorState's order
// and a run's length is its count.

#include <cstddef>
#include <cstdint>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// x: (inputs, channels, positions); state s = input * positions + p; out: states x words.
struct pack_states_body {
    const float* x;
    std::uint64_t* out;
    std::size_t channels, positions, words;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t s = t / words, wd = t % words, input = s / positions, p = s % positions;
        const std::size_t c0 = wd * 64, c1 = c0 + 64 < channels ? c0 + 64 : channels;
        const float* base = x + input * channels * positions + p;
        std::uint64_t acc = 0;
        for (std::size_t c = c0; c < c1; ++c)
            if (base[c * positions] > 0.0f) acc |= std::uint64_t{1} << (c - c0);
        out[t] = acc;
    }
};

// flags[i] = 1 if sorted state i differs from sorted state i - 1 (or i = 0).
struct run_starts_body {
    const std::uint64_t* states;
    const std::uint32_t* order;
    std::size_t words;
    std::uint8_t* flags;

    XDDP_HOST_DEVICE void operator()(std::size_t i) const {
        if (i == 0) {
            flags[0] = 1;
            return;
        }
        const std::uint64_t* a = states + order[i - 1] * words;
        const std::uint64_t* b = states + order[i] * words;
        std::uint8_t differ = 0;
        for (std::size_t w = 0; w < words; ++w) differ |= a[w] != b[w] ? 1 : 0;
        flags[i] = differ;
    }
};

}  // namespace xddp::kernels::device
