#pragma once
// direct_conv2d: a register-tiled direct convolution without an im2col buffer, for every conv2d option
// (stride, padding incl. asymmetric, dilation, groups, non-square kernels).
//
// Each image is first copied into a zero-padded layout split by stride phase, xq[c][row phase][column
// phase][Hq][Wq], so that tap (c, r, s) of output pixel (i, j) is the float at tap_offset(c, r, s) + i*Wq + j:
// strided and dilated taps become plain loads at fixed offsets. A tile keeps up to 14 output pixels (of one
// or two output rows) times two vectors of output channels in registers; per tap it loads two weight vectors
// and broadcasts one input value per pixel, 2 FMAs per broadcast, no shuffles. Weights are repacked per call
// into [tap][channel] blocks in a thread-local buffer, so a user may change them between calls freely; one
// block is packed once per call and reused by every tile of every image.
//
// Compiled where xsimd is (XDDP_HAS_XSIMD, kernels/host/simd.hpp); conv2d falls back to im2col + GEMM elsewhere.

#include "xddp/kernels/host/simd.hpp"

#if XDDP_HAS_XSIMD

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "xddp/core/parallel_for.hpp"
#include "xddp/layers/window.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace xddp::kernels::host {

namespace direct_conv2d_detail {

using simd::batch;
using simd::lanes;
using simd::registers;
inline constexpr int vectors = 2;                      // output-channel vectors per tile
inline constexpr std::size_t block = vectors * lanes;  // output channels per tile
// Accumulators plus two weight vectors and a broadcast must fit in the registers.
inline constexpr int max_pixels = std::min(14, (registers - vectors - 2) / vectors);

#if defined(__AVX512F__)
// The 16x16 transposes use the masked intrinsics with a full mask: the same instructions as the plain ones,
// which trip GCC 12's -Wuninitialized on their undefined pass-through operand.
inline constexpr __mmask16 all_lanes = 0xFFFF;

// out[t] = column t of the 16x16 block at src (rows ld floats apart). The 128-bit pieces are gathered by loads
// (vinsertf32x4 from memory), so only the in-lane 4x4 transposes need the shuffle port.
[[gnu::always_inline]] inline void load_transposed16(const float* src, std::size_t ld, __m512 (&out)[16]) {
    for (int j = 0; j < 4; ++j) {
        __m512 x[4];
        for (int i = 0; i < 4; ++i) {
            const float* p = src + static_cast<std::size_t>(i) * ld + 4 * j;
            x[i] = _mm512_castps128_ps512(_mm_loadu_ps(p));
            x[i] = _mm512_insertf32x4(x[i], _mm_loadu_ps(p + 4 * ld), 1);
            x[i] = _mm512_insertf32x4(x[i], _mm_loadu_ps(p + 8 * ld), 2);
            x[i] = _mm512_insertf32x4(x[i], _mm_loadu_ps(p + 12 * ld), 3);
        }
        // Lane b of x[i] holds row 4b + i, columns 4j..4j+3; transpose each lane's 4x4.
        const __m512 t0 = _mm512_mask_unpacklo_ps(x[0], all_lanes, x[0], x[1]);
        const __m512 t1 = _mm512_mask_unpackhi_ps(x[0], all_lanes, x[0], x[1]);
        const __m512 t2 = _mm512_mask_unpacklo_ps(x[2], all_lanes, x[2], x[3]);
        const __m512 t3 = _mm512_mask_unpackhi_ps(x[2], all_lanes, x[2], x[3]);
        out[4 * j] = _mm512_mask_shuffle_ps(t0, all_lanes, t0, t2, 0x44);
        out[4 * j + 1] = _mm512_mask_shuffle_ps(t0, all_lanes, t0, t2, 0xEE);
        out[4 * j + 2] = _mm512_mask_shuffle_ps(t1, all_lanes, t1, t3, 0x44);
        out[4 * j + 3] = _mm512_mask_shuffle_ps(t1, all_lanes, t1, t3, 0xEE);
    }
}

// In-register transpose of 16 rows of 16 floats.
[[gnu::always_inline]] inline void transpose16(__m512 (&r)[16]) {
    constexpr __mmask16 all = all_lanes;
    __m512 t[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_mask_unpacklo_ps(r[2 * i], all, r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_mask_unpackhi_ps(r[2 * i], all, r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; ++i) {
        r[4 * i] = _mm512_mask_shuffle_ps(t[4 * i], all, t[4 * i], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm512_mask_shuffle_ps(t[4 * i], all, t[4 * i], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm512_mask_shuffle_ps(t[4 * i + 1], all, t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm512_mask_shuffle_ps(t[4 * i + 1], all, t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int j = 0; j < 4; ++j) {
        t[j] = _mm512_mask_shuffle_f32x4(r[j], all, r[j], r[4 + j], 0x88);
        t[4 + j] = _mm512_mask_shuffle_f32x4(r[j], all, r[j], r[4 + j], 0xDD);
        t[8 + j] = _mm512_mask_shuffle_f32x4(r[8 + j], all, r[8 + j], r[12 + j], 0x88);
        t[12 + j] = _mm512_mask_shuffle_f32x4(r[8 + j], all, r[8 + j], r[12 + j], 0xDD);
    }
    for (int j = 0; j < 4; ++j) {
        r[j] = _mm512_mask_shuffle_f32x4(t[j], all, t[j], t[8 + j], 0x88);
        r[8 + j] = _mm512_mask_shuffle_f32x4(t[j], all, t[j], t[8 + j], 0xDD);
        r[4 + j] = _mm512_mask_shuffle_f32x4(t[4 + j], all, t[4 + j], t[12 + j], 0x88);
        r[12 + j] = _mm512_mask_shuffle_f32x4(t[4 + j], all, t[4 + j], t[12 + j], 0xDD);
    }
}
#endif

// Tags of the thread-local scratch buffers.
struct input_copies;
struct packed_weights;

// Which block a thread's packed_weights buffer holds: calls are numbered, so a thread running several parts of
// one block within a call packs it once.
inline std::atomic<std::uint64_t> calls{0};
struct last_pack {
    std::uint64_t call = ~std::uint64_t{0};
    std::size_t unit = 0;
};
inline last_pack& last_packed() {
    static thread_local last_pack last;
    return last;
}

// Busy-wait hint for the short waits on another thread's copy.
inline void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// What one tile needs; offsets are in floats.
struct tile_args {
    const float* input;          // the tile's first pixel; taps are offsets from here
    std::size_t input_row;       // from one output row's taps to the next row's
    const std::ptrdiff_t* taps;  // tap offsets, in the order of the packed weights
    std::size_t tap_count;
    const float* weights;  // [tap][block], aligned
    const float* bias;     // [block], aligned, zero where there is none
    float* output;         // the tile's first pixel in its first output channel
    std::size_t output_row, output_plane, channels;  // channels: how many of the block exist
    // Cache lines to pull into L2 while this tile computes (the next block's weights), at most one per tap:
    // streaming them in beside the FMAs hides the memory latency that packing them afterwards would expose.
    const char* prefetch;
    std::size_t prefetch_lines;
};

// Writes the accumulators (pixel-major) to the output planes (channel-major).
template <int Rows, int Pixels>
inline void store_tile(const batch (&acc)[Rows * Pixels][vectors], const tile_args& t) {
    constexpr int n = Rows * Pixels;
#if defined(__AVX512F__)
    if constexpr (lanes == 16) {
        // Two 16x16 transposes in registers, then one masked store per channel and row.
        const __mmask16 row_mask = static_cast<__mmask16>((1u << Pixels) - 1);
        for (int v = 0; v < vectors; ++v) {
            __m512 r[16];
            for (int i = 0; i < 16; ++i) r[i] = acc[i < n ? i : 0][v];  // rows >= n land in lanes never stored
            transpose16(r);
            const std::size_t first = static_cast<std::size_t>(v) * lanes;
            const std::size_t count = t.channels > first ? std::min(lanes, t.channels - first) : 0;
            for (std::size_t c = 0; c < count; ++c) {
                float* dst = t.output + (first + c) * t.output_plane;
                _mm512_mask_storeu_ps(dst, row_mask, r[c]);
                // The second row's pixels are lanes [Pixels, 2*Pixels); shift the address so lane Pixels
                // lands on the row's first pixel (masked-off lanes are never touched).
                if constexpr (Rows == 2)
                    _mm512_mask_storeu_ps(dst + static_cast<std::ptrdiff_t>(t.output_row) - Pixels,
                                          static_cast<__mmask16>(row_mask << Pixels), r[c]);
            }
        }
        return;
    }
#endif
    alignas(64) float tmp[n][block];
    for (int i = 0; i < n; ++i)
        for (int v = 0; v < vectors; ++v) acc[i][v].store_aligned(&tmp[i][v * lanes]);
    for (std::size_t c = 0; c < t.channels; ++c) {
        float* dst = t.output + c * t.output_plane;
        for (int r = 0; r < Rows; ++r)
            for (int p = 0; p < Pixels; ++p) dst[r * t.output_row + p] = tmp[r * Pixels + p][c];
    }
}

template <int Rows, int Pixels>
void run_tile(const tile_args& t) {
    constexpr int n = Rows * Pixels;
    batch acc[n][vectors];
    for (int v = 0; v < vectors; ++v) {
        const batch b = batch::load_aligned(t.bias + v * lanes);
        for (int i = 0; i < n; ++i) acc[i][v] = b;
    }
    const float* in0 = t.input;
    const float* w = t.weights;
    const char* prefetch = t.prefetch;
    const std::size_t prefetch_every = t.prefetch_lines ? std::max<std::size_t>(1, t.tap_count / t.prefetch_lines) : 0;
    std::size_t next_prefetch = t.prefetch_lines ? 0 : t.tap_count;
    for (std::size_t k = 0; k < t.tap_count; ++k, w += block) {
        if (k == next_prefetch) {
            __builtin_prefetch(prefetch, 0, 2);
            prefetch += 64;
            next_prefetch += prefetch_every;
        }
        const std::ptrdiff_t o = t.taps[k];
        batch wv[vectors];
        for (int v = 0; v < vectors; ++v) wv[v] = batch::load_aligned(w + v * lanes);
        for (int p = 0; p < Pixels; ++p) {
            const batch x(in0[o + p]);
            for (int v = 0; v < vectors; ++v) acc[p][v] = xsimd::fma(wv[v], x, acc[p][v]);
        }
        if constexpr (Rows == 2) {
            const float* in1 = in0 + t.input_row;
            for (int p = 0; p < Pixels; ++p) {
                const batch x(in1[o + p]);
                for (int v = 0; v < vectors; ++v) acc[Pixels + p][v] = xsimd::fma(wv[v], x, acc[Pixels + p][v]);
            }
        }
    }
    store_tile<Rows, Pixels>(acc, t);
}

using tile_function = void (*)(const tile_args&);

template <int Rows, std::size_t... P>
constexpr std::array<tile_function, sizeof...(P)> make_tiles(std::index_sequence<P...>) {
    return {&run_tile<Rows, static_cast<int>(P) + 1>...};
}

inline constexpr auto one_row_tiles = make_tiles<1>(std::make_index_sequence<max_pixels>{});
inline constexpr auto two_row_tiles = make_tiles<2>(std::make_index_sequence<max_pixels / 2>{});

// Where a tile sits in the output plane.
struct tile_place {
    std::size_t row, column;
    int rows, pixels;
};

// Rows wide enough are cut into equal tiles of at most max_pixels; narrow ones are paired.
inline std::vector<tile_place> place_tiles(std::size_t ho, std::size_t wo) {
    std::vector<tile_place> tiles;
    if (2 * wo <= static_cast<std::size_t>(max_pixels)) {
        for (std::size_t i = 0; i < ho; i += 2)
            tiles.push_back({i, 0, static_cast<int>(std::min<std::size_t>(2, ho - i)), static_cast<int>(wo)});
        return tiles;
    }
    const std::size_t per_row = (wo + max_pixels - 1) / max_pixels;
    for (std::size_t i = 0; i < ho; ++i)
        for (std::size_t t = 0; t < per_row; ++t) {
            const std::size_t j0 = t * wo / per_row, j1 = (t + 1) * wo / per_row;
            tiles.push_back({i, j0, 1, static_cast<int>(j1 - j0)});
        }
    return tiles;
}

// Packs output channels [first, first + count) of one group, each `taps` weights long, as [tap][block].
inline void pack_weights(const float* weight, std::size_t taps, std::size_t count, float* dst) {
    std::size_t k = 0;
#if defined(__AVX512F__)
    if constexpr (block == 32) {
        if (count == block) {
            // 16 taps x 16 channels at a time, one half of the channels after the other (16 row streams at a
            // time instead of 32: measurably faster).
            const std::size_t whole = taps / 16 * 16;
            for (std::size_t half = 0; half < 2; ++half)
                for (std::size_t kk = 0; kk < whole; kk += 16) {
                    __m512 r[16];
                    load_transposed16(weight + half * 16 * taps + kk, taps, r);
                    for (std::size_t i = 0; i < 16; ++i) _mm512_store_ps(dst + (kk + i) * block + half * 16, r[i]);
                }
            k = whole;
        }
    }
#endif
    const std::size_t rest = taps - k;  // the taps left, one channel row at a time; missing channels are zeros
    for (std::size_t c = 0; c < block; ++c) {
        float* out = dst + k * block + c;
        const float* in = c < count ? weight + c * taps + k : nullptr;
        for (std::size_t i = 0; i < rest; ++i) out[i * block] = in ? in[i] : 0.0f;
    }
}

}  // namespace direct_conv2d_detail

// Whether direct_conv2d is worth it for `group_out_channels` output channels per group: a tile computes a
// whole block of channels, so very narrow groups (depthwise) are left to im2col + GEMM.
inline bool direct_conv2d_suits(std::size_t group_out_channels) {
    return group_out_channels >= direct_conv2d_detail::lanes / 2;
}

// y (n, out_channels, ho, wo) = conv(x (n, c, h, w), weight (out_channels, c/groups, kh, kw)) + bias.
// bias may be null. ho and wo must be the window's output extents for h and w.
inline void direct_conv2d(const float* x, std::size_t n, std::size_t c, std::size_t h, std::size_t w,
                          const float* weight, const float* bias, std::size_t out_channels, std::size_t groups,
                          const window2d& win, std::size_t ho, std::size_t wo, float* y) {
    using namespace direct_conv2d_detail;
    const std::size_t kh = win.kernel[0], kw = win.kernel[1];
    const std::size_t sh = win.stride[0], sw = win.stride[1];
    const std::size_t dh = win.dilation[0], dw = win.dilation[1];
    const std::size_t pt = win.pad_begin[0], pl = win.pad_begin[1];
    const std::size_t hp = h + pt + win.pad_end[0], wp = w + pl + win.pad_end[1];
    const bool copy = sh != 1 || sw != 1 || hp != h || wp != w;
    // The stride-phase layout; without padding or stride it is the input itself.
    const std::size_t hq = (hp + sh - 1) / sh, wq = (wp + sw - 1) / sw;
    const std::size_t plane_q = hq * wq, channel_q = sh * sw * plane_q, image_q = c * channel_q;
    const std::size_t cg = c / groups, og = out_channels / groups, taps = cg * kh * kw;
    const std::size_t blocks = (og + block - 1) / block, plane_out = ho * wo;

    std::vector<std::ptrdiff_t> tap_offsets(taps);
    for (std::size_t ci = 0; ci < cg; ++ci)
        for (std::size_t r = 0; r < kh; ++r)
            for (std::size_t s = 0; s < kw; ++s) {
                const std::size_t rr = r * dh, ss = s * dw;
                tap_offsets[(ci * kh + r) * kw + s] =
                    static_cast<std::ptrdiff_t>(((ci * sh + rr % sh) * sw + ss % sw) * plane_q + (rr / sh) * wq + ss / sw);
            }
    const std::vector<tile_place> tiles = place_tiles(ho, wo);

    // Images per pass: as many as fit in 16 MB of copies (always at least one).
    const std::size_t per_pass = copy ? std::clamp<std::size_t>((std::size_t{1} << 22) / image_q, 1, n) : n;
    float* const copies = copy ? simd::scratch<input_copies>(per_pass * image_q) : nullptr;

    // Work items are (group, channel block, part of the tiles), handed out one at a time. With several threads
    // there are about eight items per thread (each of at least four tiles), so that a thread the pool wakes late
    // still finds work; a thread packs a block's weights once however many of that block's parts it runs.
    const std::size_t threads = default_thread_pool().size();
    const std::size_t units = groups * blocks;
    const std::size_t parts =
        threads == 1 ? 1 : std::clamp<std::size_t>((8 * threads + units - 1) / units, 1, std::max<std::size_t>(1, tiles.size() / 4));
    const std::size_t items = units * parts;
    const std::uint64_t call = calls.fetch_add(1, std::memory_order_relaxed);

    for (std::size_t b0 = 0; b0 < n; b0 += per_pass) {
        const std::size_t nb = std::min(per_pass, n - b0);
        const float* xq = copy ? copies : x + b0 * c * h * w;
        // The copy is split into chunks of planes that the items claim first: whoever starts first copies, and
        // nobody computes before all of it is done (a thread only ever waits for chunks others are copying).
        const std::size_t planes_per_chunk = std::max<std::size_t>(1, 4096 / channel_q);
        const std::size_t copy_chunks = copy ? (nb * c + planes_per_chunk - 1) / planes_per_chunk : 0;
        std::atomic<std::size_t> copy_next{0}, copy_done{0};
        const auto copy_plane = [&](std::size_t plane) {
            const float* src = x + (b0 * c + plane) * h * w;
            float* dst = copies + plane * channel_q;
            for (std::size_t pr = 0; pr < sh; ++pr)
                for (std::size_t pc = 0; pc < sw; ++pc)
                    for (std::size_t u = 0; u < hq; ++u, dst += wq) {
                        const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(u * sh + pr) - static_cast<std::ptrdiff_t>(pt);
                        if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(h)) {
                            std::fill(dst, dst + wq, 0.0f);
                            continue;
                        }
                        // Columns v with 0 <= v*sw + pc - pl < w come from the row; the others are padding.
                        const float* row = src + static_cast<std::size_t>(ih) * w;
                        const std::size_t v_lo = std::min(wq, pl > pc ? (pl - pc + sw - 1) / sw : 0);
                        const std::size_t v_hi =
                            w + pl <= pc ? v_lo : std::max(v_lo, std::min(wq, (w + pl - pc + sw - 1) / sw));
                        std::fill(dst, dst + v_lo, 0.0f);
                        if (v_hi > v_lo) {
                            const float* from = row + (v_lo * sw + pc - pl);
                            if (sw == 1) std::memcpy(dst + v_lo, from, (v_hi - v_lo) * sizeof(float));
                            else
                                for (std::size_t v = v_lo; v < v_hi; ++v) dst[v] = from[(v - v_lo) * sw];
                        }
                        std::fill(dst + v_hi, dst + wq, 0.0f);
                    }
        };

        parallel_for(0, items, [&](std::size_t item) {
            if (copy_chunks) {
                for (std::size_t chunk; (chunk = copy_next.fetch_add(1, std::memory_order_relaxed)) < copy_chunks;) {
                    for (std::size_t p = chunk * planes_per_chunk, e = std::min(nb * c, p + planes_per_chunk); p < e; ++p)
                        copy_plane(p);
                    copy_done.fetch_add(1, std::memory_order_release);
                }
                while (copy_done.load(std::memory_order_acquire) < copy_chunks) spin_pause();
            }
            const std::size_t part = item % parts, unit = item / parts;
            const std::size_t g = unit / blocks, first = (unit % blocks) * block;
            const std::size_t count = std::min(block, og - first);
            float* wpack = simd::scratch<packed_weights>(taps * block + block);
            float* bpack = wpack + taps * block;
            last_pack& last = last_packed();
            if (last.call != call || last.unit != unit) {
                pack_weights(weight + (g * og + first) * taps, taps, count, wpack);
                for (std::size_t j = 0; j < block; ++j) bpack[j] = bias && j < count ? bias[g * og + first + j] : 0.0f;
                last = {call, unit};
            }

            const std::size_t t0 = part * tiles.size() / parts, t1 = (part + 1) * tiles.size() / parts;
            tile_args args{};
            args.input_row = wq;
            args.taps = tap_offsets.data();
            args.tap_count = taps;
            args.weights = wpack;
            args.bias = bpack;
            args.output_row = wo;
            args.output_plane = plane_out;
            args.channels = count;
            // The last part of a block prefetches the next block's weights, spread over its tiles.
            const std::size_t item_tiles = nb * (t1 - t0);
            std::size_t lines = 0, lines_per_tile = 0;
            const char* next = nullptr;
            if (part + 1 == parts && unit + 1 < units && item_tiles > 0) {
                const std::size_t ng = (unit + 1) / blocks, nfirst = ((unit + 1) % blocks) * block;
                next = reinterpret_cast<const char*>(weight + (ng * og + nfirst) * taps);
                lines = (std::min(block, og - nfirst) * taps * sizeof(float) + 63) / 64;
                lines_per_tile = std::min(taps, (lines + item_tiles - 1) / item_tiles);
            }
            std::size_t tile_index = 0;
            for (std::size_t b = 0; b < nb; ++b) {
                const float* in = xq + b * image_q + g * cg * channel_q;
                float* out = y + ((b0 + b) * out_channels + g * og + first) * plane_out;
                for (std::size_t t = t0; t < t1; ++t) {
                    const tile_place& tp = tiles[t];
                    args.input = in + tp.row * wq + tp.column;
                    args.output = out + tp.row * wo + tp.column;
                    const std::size_t done = tile_index++ * lines_per_tile;
                    args.prefetch = next ? next + 64 * std::min(done, lines) : nullptr;
                    args.prefetch_lines = done < lines ? std::min(lines_per_tile, lines - done) : 0;
                    const auto p = static_cast<std::size_t>(tp.pixels - 1);
                    if (tp.rows == 1) one_row_tiles[p](args);
                    else two_row_tiles[p](args);
                }
            }
        });
    }
}

}  // namespace xddp::kernels::host

#endif  // XDDP_HAS_XSIMD
