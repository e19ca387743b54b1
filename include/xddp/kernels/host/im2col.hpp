#pragma once
// im2col for one image and one channel group: rows (c, r, q), columns output positions (i, j).
// Rows are written with memcpy where the stride is 1; padding becomes zeros.

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "xddp/kernels/window.hpp"

namespace xddp::kernels::host {

// x: (channels, h, w); cols: (channels*kh*kw, ho*wo).
inline void im2col(const float* x, std::size_t channels, std::size_t h, std::size_t w, const window2d& win,
                   std::size_t ho, std::size_t wo, float* cols) {
    const std::size_t kh = win.kernel[0], kw = win.kernel[1];
    const std::size_t sh = win.stride[0], sw = win.stride[1];
    const std::size_t dh = win.dilation[0], dw = win.dilation[1];
    const std::ptrdiff_t pt = static_cast<std::ptrdiff_t>(win.pad_begin[0]);
    const std::ptrdiff_t pl = static_cast<std::ptrdiff_t>(win.pad_begin[1]);
    const std::ptrdiff_t H = static_cast<std::ptrdiff_t>(h), W = static_cast<std::ptrdiff_t>(w);
    float* dst = cols;
    for (std::size_t c = 0; c < channels; ++c) {
        const float* plane = x + c * h * w;
        for (std::size_t r = 0; r < kh; ++r) {
            for (std::size_t q = 0; q < kw; ++q) {
                const std::ptrdiff_t off_w = static_cast<std::ptrdiff_t>(q * dw) - pl;
                // Output columns j whose input column j*sw + off_w lies inside [0, W).
                std::ptrdiff_t j_lo = 0, j_hi = static_cast<std::ptrdiff_t>(wo);
                if (off_w < 0) j_lo = (-off_w + static_cast<std::ptrdiff_t>(sw) - 1) / static_cast<std::ptrdiff_t>(sw);
                if (W - off_w <= 0) j_hi = 0;
                else j_hi = std::min<std::ptrdiff_t>(j_hi, (W - off_w + static_cast<std::ptrdiff_t>(sw) - 1) /
                                                                static_cast<std::ptrdiff_t>(sw));
                j_lo = std::min(j_lo, static_cast<std::ptrdiff_t>(wo));
                j_hi = std::max(j_hi, j_lo);
                for (std::size_t i = 0; i < ho; ++i, dst += wo) {
                    const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(i * sh + r * dh) - pt;
                    if (ih < 0 || ih >= H) {
                        std::fill(dst, dst + wo, 0.0f);
                        continue;
                    }
                    const float* src = plane + ih * W;
                    std::fill(dst, dst + j_lo, 0.0f);
                    if (sw == 1) {
                        std::memcpy(dst + j_lo, src + j_lo + off_w, static_cast<std::size_t>(j_hi - j_lo) * sizeof(float));
                    } else {
                        for (std::ptrdiff_t j = j_lo; j < j_hi; ++j) dst[j] = src[j * static_cast<std::ptrdiff_t>(sw) + off_w];
                    }
                    std::fill(dst + j_hi, dst + wo, 0.0f);
                }
            }
        }
    }
}

}  // namespace xddp::kernels::host
