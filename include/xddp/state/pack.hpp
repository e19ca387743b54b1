#pragma once
// Binarising and packing states (specs/tensorstate.md "Binarisation and packing"). A neuron fires iff its
// value is > 0 (so +0, -0, NaN and -inf do not; +inf and tiny positives do). A state of C neurons is kept
// as ceil(C / 64) 64-bit words, neuron c at bit c % 64 of word c / 64, bits past C zero: the words'
// little-endian bytes are exactly TensorState's packed bytes (np.packbits(bitorder="little")), and the
// words compared from the last one down order states as TensorState lists them.
//
// The kernel reads a (C, H, W) activation where it lies: for a tile of 256 positions it walks the channels
// of one word, each a contiguous row, and ORs each channel's comparison into 256 accumulators. Every float
// is read once, no channel-last copy is made, and the inner loop is a compare-and-or the compiler
// vectorises (with AVX-512: compare to a mask, masked OR). Hand-written AVX-512 kernels (64-bit lanes, or
// byte planes and a transpose) measured no faster, so this one portable loop serves every target: it is
// compiled once per SIMD level (core/simd_level.hpp) by inlining it into a function with that level's
// target attribute, which lets the compiler vectorise it for the level's instructions.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "xddp/core/simd_level.hpp"
#include "xddp/kernels/host/simd/target.hpp"

namespace xddp {

// Words of one packed state of C neurons.
inline constexpr std::size_t state_words(std::size_t neurons) noexcept { return (neurons + 63) / 64; }
// Bytes of one packed state of C neurons, as TensorState stores it.
inline constexpr std::size_t state_bytes(std::size_t neurons) noexcept { return (neurons + 7) / 8; }

namespace detail::states {

// 256 positions: 2 KiB of accumulators stay in L1 while each channel row is read in 1 KiB runs.
inline constexpr std::size_t pack_tile = 256;
// Rows are prefetched this many channels ahead: between tiles the caller hashes and counts, which stalls
// the hardware prefetcher; measured 20% faster at C = 512 while counting, neutral when packing alone.
inline constexpr std::size_t prefetch_rows = 4;

inline void prefetch_row(const float* row, std::size_t count) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    for (std::size_t i = 0; i < count; i += 16) __builtin_prefetch(row + i);
#else
    (void)row;
    (void)count;
#endif
}

// One full tile of pack_tile positions starting at x (channel c at x + c * stride) for channels [c0, c1)
// of one word, of the input's `channels` channels. Always inlined, so that each level's copy below is
// vectorised for that level's instructions (the loop has no intrinsics, so any caller may inline it).
#if defined(__GNUC__)
[[gnu::always_inline]]
#endif
inline void pack_tile_word(const float* x, std::size_t stride, std::size_t c0, std::size_t c1, std::size_t channels,
                           std::uint64_t* acc) noexcept {
    for (std::size_t i = 0; i < pack_tile; ++i) acc[i] = 0;
    for (std::size_t c = c0; c < c1; ++c) {
        const float* row = x + c * stride;
        if (c + prefetch_rows < channels) prefetch_row(x + (c + prefetch_rows) * stride, pack_tile);
        const std::uint64_t bit = std::uint64_t{1} << (c - c0);
        for (std::size_t i = 0; i < pack_tile; ++i) acc[i] |= row[i] > 0.0f ? bit : 0;
    }
}

using pack_tile_word_function = void (*)(const float*, std::size_t, std::size_t, std::size_t, std::size_t,
                                         std::uint64_t*) noexcept;

inline void pack_tile_word_scalar(const float* x, std::size_t stride, std::size_t c0, std::size_t c1,
                                  std::size_t channels, std::uint64_t* acc) noexcept {
    pack_tile_word(x, stride, c0, c1, channels, acc);
}
#if XDDP_SIMD_KERNELS
XDDP_TARGET_SSE2 inline void pack_tile_word_sse2(const float* x, std::size_t stride, std::size_t c0, std::size_t c1,
                                                 std::size_t channels, std::uint64_t* acc) noexcept {
    pack_tile_word(x, stride, c0, c1, channels, acc);
}
XDDP_TARGET_AVX2 inline void pack_tile_word_avx2(const float* x, std::size_t stride, std::size_t c0, std::size_t c1,
                                                 std::size_t channels, std::uint64_t* acc) noexcept {
    pack_tile_word(x, stride, c0, c1, channels, acc);
}
XDDP_TARGET_AVX512 inline void pack_tile_word_avx512(const float* x, std::size_t stride, std::size_t c0,
                                                     std::size_t c1, std::size_t channels, std::uint64_t* acc) noexcept {
    pack_tile_word(x, stride, c0, c1, channels, acc);
}
#endif

inline pack_tile_word_function pack_tile_word_for(simd_level level) noexcept {
    switch (level) {
#if XDDP_SIMD_KERNELS
        case simd_level::sse2: return &pack_tile_word_sse2;
        case simd_level::avx2: return &pack_tile_word_avx2;
        case simd_level::avx512: return &pack_tile_word_avx512;
#endif
        default: return &pack_tile_word_scalar;
    }
}

}  // namespace detail::states

// Packs positions [first, first + count) of one input whose C channels are rows of `positions` floats
// (channel c at x + c * positions) into count rows of `words` = state_words(C) words at out, with the kernel of
// `level` (which the CPU must run). Every level gives the same bits.
inline void pack_states(simd_level level, const float* x, std::size_t channels, std::size_t positions,
                        std::size_t first, std::size_t count, std::uint64_t* out, std::size_t words) noexcept {
    using detail::states::pack_tile;
    if (positions == 1) {  // a vector activation: each state is one contiguous row of C floats
        for (std::size_t w = 0; w < words; ++w) {
            const std::size_t c0 = w * 64, c1 = std::min(channels, c0 + 64);
            std::uint64_t acc = 0;
            for (std::size_t c = c0; c < c1; ++c) acc |= (x[c] > 0.0f ? std::uint64_t{1} : 0) << (c - c0);
            out[w] = acc;
        }
        return;
    }
    const detail::states::pack_tile_word_function tile_word = detail::states::pack_tile_word_for(level);
    alignas(64) std::uint64_t acc[pack_tile];
    std::size_t s = first;
    const std::size_t end = first + count;
    for (; s + pack_tile <= end; s += pack_tile) {
        std::uint64_t* rows = out + (s - first) * words;
        for (std::size_t w = 0; w < words; ++w) {
            tile_word(x + s, positions, w * 64, std::min(channels, w * 64 + 64), channels, acc);
            for (std::size_t i = 0; i < pack_tile; ++i) rows[i * words + w] = acc[i];
        }
    }
    if (s < end) {  // the last partial tile
        const std::size_t n = end - s;
        std::uint64_t* rows = out + (s - first) * words;
        for (std::size_t w = 0; w < words; ++w) {
            const std::size_t c0 = w * 64, c1 = std::min(channels, c0 + 64);
            for (std::size_t i = 0; i < n; ++i) acc[i] = 0;
            for (std::size_t c = c0; c < c1; ++c) {
                const float* row = x + c * positions + s;
                if (c + detail::states::prefetch_rows < channels)
                    detail::states::prefetch_row(row + detail::states::prefetch_rows * positions, n);
                const std::uint64_t bit = std::uint64_t{1} << (c - c0);
                for (std::size_t i = 0; i < n; ++i) acc[i] |= row[i] > 0.0f ? bit : 0;
            }
            for (std::size_t i = 0; i < n; ++i) rows[i * words + w] = acc[i];
        }
    }
}

// The same at the active level (core/simd_level.hpp).
inline void pack_states(const float* x, std::size_t channels, std::size_t positions, std::size_t first,
                        std::size_t count, std::uint64_t* out, std::size_t words) {
    pack_states(active_simd_level(), x, channels, positions, first, count, out, words);
}

// The little-endian bytes of packed states: rows of state_bytes(C) bytes, as np.packbits(..., bitorder="little").
inline std::vector<std::uint8_t> packed_bytes(std::span<const std::uint64_t> words, std::size_t neurons) {
    const std::size_t w = state_words(neurons), b = state_bytes(neurons);
    const std::size_t rows = w ? words.size() / w : 0;
    std::vector<std::uint8_t> out(rows * b);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t k = 0; k < b; ++k)
            out[r * b + k] = static_cast<std::uint8_t>(words[r * w + k / 8] >> (8 * (k % 8)));
    return out;
}

}  // namespace xddp
