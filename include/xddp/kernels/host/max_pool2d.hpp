#pragma once
// max_pool2d over planes: every option of window2d (kernel, stride, padding incl. asymmetric, dilation,
// ceil_mode). Padding never wins a window (PyTorch's -inf padding), NaN propagates, and each window is visited
// row by row, left to right, PyTorch's order (it decides which of -0 and +0 a tie keeps), so the vector and
// scalar paths give the same bits.
//
// The vector path copies each plane once into rows padded with -inf and split by column phase (column
// v*stride + phase goes to phase row `phase`, position v), so that one window tap of consecutive outputs is a
// plain vector load whatever the stride; a vector of outputs then takes kh*kw loads, compares and blends.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <vector>

#include "xddp/core/parallel_for.hpp"
#include "xddp/kernels/host/simd.hpp"
#include "xddp/layers/window.hpp"

namespace xddp::kernels::host {

namespace max_pool2d_detail {

// The scalar reference: one output plane, window by window.
inline void plane_scalar(const float* p, std::size_t h, std::size_t w, const window2d& win, std::size_t ho,
                         std::size_t wo, float* q) {
    for (std::size_t i = 0; i < ho; ++i) {
        for (std::size_t j = 0; j < wo; ++j) {
            float best = -std::numeric_limits<float>::infinity();
            for (std::size_t r = 0; r < win.kernel[0]; ++r) {
                const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(i * win.stride[0] + r * win.dilation[0]) -
                                          static_cast<std::ptrdiff_t>(win.pad_begin[0]);
                if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(h)) continue;
                const float* row = p + ih * static_cast<std::ptrdiff_t>(w);
                for (std::size_t s = 0; s < win.kernel[1]; ++s) {
                    const std::ptrdiff_t iw = static_cast<std::ptrdiff_t>(j * win.stride[1] + s * win.dilation[1]) -
                                              static_cast<std::ptrdiff_t>(win.pad_begin[1]);
                    if (iw < 0 || iw >= static_cast<std::ptrdiff_t>(w)) continue;
                    const float v = row[iw];
                    if (v > best || v != v) best = v;  // NaN propagates, as in PyTorch
                }
            }
            q[i * wo + j] = best;
        }
    }
}

#if XDDP_HAS_XSIMD
struct phase_rows;  // tag of the thread-local row buffer

// Floats per phase row: whole vectors of outputs, plus the farthest window column.
inline std::size_t phase_row_length(std::size_t wo, const window2d& win) {
    const std::size_t lanes = simd::lanes;
    return (wo + lanes - 1) / lanes * lanes + (win.kernel[1] - 1) * win.dilation[1] / win.stride[1];
}

// One output plane. taps: for each window column s, where its values sit relative to a phase-split row
// (phase row (s*dw) % sw, position (s*dw) / sw; see above).
inline void plane_vector(const float* p, std::size_t h, std::size_t w, const window2d& win, std::size_t ho,
                         std::size_t wo, const std::size_t* taps, float* q) {
    using simd::batch;
    using simd::lanes;
    const std::size_t sh = win.stride[0], sw = win.stride[1], kh = win.kernel[0], kw = win.kernel[1];
    const std::size_t dh = win.dilation[0], pl = win.pad_begin[1];
    const float lowest = -std::numeric_limits<float>::infinity();
    // Positions a vector of outputs may read in a phase row: whole vectors past wo, plus the farthest tap.
    const std::size_t stride_q = phase_row_length(wo, win);
    float* rows = simd::scratch<phase_rows>(h * sw * stride_q);
    for (std::size_t ih = 0; ih < h; ++ih) {
        const float* src = p + ih * w;
        for (std::size_t pc = 0; pc < sw; ++pc) {
            float* dst = rows + (ih * sw + pc) * stride_q;
            // Positions v with 0 <= v*sw + pc - pl < w hold input columns; the rest is -inf padding.
            const std::size_t v_lo = std::min(stride_q, pl > pc ? (pl - pc + sw - 1) / sw : 0);
            const std::size_t v_hi =
                w + pl <= pc ? v_lo : std::max(v_lo, std::min(stride_q, (w + pl - pc + sw - 1) / sw));
            std::fill(dst, dst + v_lo, lowest);
            if (v_hi > v_lo) {
                const float* from = src + (v_lo * sw + pc - pl);
                const std::size_t count = v_hi - v_lo;
                if (sw == 1) std::memcpy(dst + v_lo, from, count * sizeof(float));
                else if (sw == 2)  // the common pooling stride, written out so the compiler vectorises it
                    for (std::size_t v = 0; v < count; ++v) dst[v_lo + v] = from[2 * v];
                else
                    for (std::size_t v = 0; v < count; ++v) dst[v_lo + v] = from[v * sw];
            }
            std::fill(dst + v_hi, dst + stride_q, lowest);
        }
    }
    const batch low(lowest);
    for (std::size_t i = 0; i < ho; ++i) {
        float* out = q + i * wo;
        for (std::size_t j = 0; j < wo; j += lanes) {
            batch best = low;
            for (std::size_t r = 0; r < kh; ++r) {
                const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(i * sh + r * dh) - static_cast<std::ptrdiff_t>(win.pad_begin[0]);
                if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(h)) continue;
                const float* row = rows + static_cast<std::size_t>(ih) * sw * stride_q + j;
                for (std::size_t s = 0; s < kw; ++s) {
                    const batch v = batch::load_unaligned(row + taps[s]);
                    best = xsimd::select((v > best) | xsimd::isnan(v), v, best);
                }
            }
            if (j + lanes <= wo) {
                best.store_unaligned(out + j);
            } else {
                alignas(64) float tail[lanes];
                best.store_aligned(tail);
                std::copy(tail, tail + (wo - j), out + j);
            }
        }
    }
}
#endif

}  // namespace max_pool2d_detail

// y (planes, ho, wo) = the window maxima of x (planes, h, w); ho and wo must be the window's output extents.
inline void max_pool2d(const float* x, std::size_t planes, std::size_t h, std::size_t w, const window2d& win,
                       std::size_t ho, std::size_t wo, float* y) {
#if XDDP_HAS_XSIMD
    const std::size_t stride_q = max_pool2d_detail::phase_row_length(wo, win);
    std::vector<std::size_t> taps(win.kernel[1]);
    for (std::size_t s = 0; s < taps.size(); ++s) {
        const std::size_t tap = s * win.dilation[1];
        taps[s] = (tap % win.stride[1]) * stride_q + tap / win.stride[1];
    }
    parallel_for(0, planes, [&](std::size_t plane) {
        max_pool2d_detail::plane_vector(x + plane * h * w, h, w, win, ho, wo, taps.data(), y + plane * ho * wo);
    });
#else
    parallel_for(0, planes, [&](std::size_t plane) {
        max_pool2d_detail::plane_scalar(x + plane * h * w, h, w, win, ho, wo, y + plane * ho * wo);
    });
#endif
}

}  // namespace xddp::kernels::host
