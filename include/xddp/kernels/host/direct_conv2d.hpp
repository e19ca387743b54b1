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
// The tiles are compiled for every SIMD level (kernels/host/simd.hpp); their part of this kernel is in
// level/direct_conv2d.hpp. At the scalar level conv2d uses im2col + GEMM instead.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "xddp/core/parallel_for.hpp"
#include "xddp/core/simd_level.hpp"
#include "xddp/kernels/host/simd.hpp"
#include "xddp/kernels/window.hpp"

namespace xddp::kernels::host {

namespace direct_conv2d_detail {

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

using tile_function = void (*)(const tile_args&);

// One level's tiles and weight packing (level/direct_conv2d.hpp), for the shared driver below.
struct level_kernels {
    std::size_t lanes, block;  // floats per vector; output channels per tile
    std::size_t max_pixels;    // pixels per one-row tile at most (two-row tiles: half)
    const tile_function* one_row_tiles;  // [pixels - 1]
    const tile_function* two_row_tiles;  // [pixels - 1], pixels per row
    void (*pack_weights)(const float* weight, std::size_t taps, std::size_t count, float* dst);
};

}  // namespace direct_conv2d_detail

}  // namespace xddp::kernels::host

#if XDDP_SIMD_KERNELS
#define XDDP_SIMD_BODY "xddp/kernels/host/level/direct_conv2d.hpp"
#include "xddp/kernels/host/simd/for_each_level.hpp"
#endif

namespace xddp::kernels::host {

namespace direct_conv2d_detail {

// The level's kernels; null at the scalar level, which has none.
inline const level_kernels* kernels_for(simd_level level) noexcept {
    switch (level) {
#if XDDP_SIMD_KERNELS
        case simd_level::sse2: return &sse2::direct_conv2d_kernels;
        case simd_level::avx2: return &avx2::direct_conv2d_kernels;
        case simd_level::avx512: return &avx512::direct_conv2d_kernels;
#endif
        default: return nullptr;
    }
}

// Where a tile sits in the output plane.
struct tile_place {
    std::size_t row, column;
    int rows, pixels;
};

// Rows wide enough are cut into equal tiles of at most max_pixels; narrow ones are paired.
inline std::vector<tile_place> place_tiles(std::size_t ho, std::size_t wo, std::size_t max_pixels) {
    std::vector<tile_place> tiles;
    if (2 * wo <= max_pixels) {
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

}  // namespace direct_conv2d_detail

// Whether direct_conv2d runs at this level and is worth it for `group_out_channels` output channels per
// group: a tile computes a whole block of channels, so very narrow groups (depthwise) are left to im2col +
// GEMM, as is everything at the scalar level.
inline bool direct_conv2d_suits(simd_level level, std::size_t group_out_channels) noexcept {
    const direct_conv2d_detail::level_kernels* k = direct_conv2d_detail::kernels_for(level);
    return k && group_out_channels >= k->lanes / 2;
}

// y (n, out_channels, ho, wo) = conv(x (n, c, h, w), weight (out_channels, c/groups, kh, kw)) + bias, with
// the kernels of `level`, which must be one direct_conv2d_suits accepts (and the CPU runs). bias may be null.
// ho and wo must be the window's output extents for h and w.
inline void direct_conv2d(simd_level level, const float* x, std::size_t n, std::size_t c, std::size_t h, std::size_t w,
                          const float* weight, const float* bias, std::size_t out_channels, std::size_t groups,
                          const window2d& win, std::size_t ho, std::size_t wo, float* y) {
    using namespace direct_conv2d_detail;
    const level_kernels& kernels = *kernels_for(level);
    const std::size_t block = kernels.block;
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
    const std::vector<tile_place> tiles = place_tiles(ho, wo, kernels.max_pixels);

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
                kernels.pack_weights(weight + (g * og + first) * taps, taps, count, wpack);
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
                    if (tp.rows == 1) kernels.one_row_tiles[p](args);
                    else kernels.two_row_tiles[p](args);
                }
            }
        });
    }
}

}  // namespace xddp::kernels::host
