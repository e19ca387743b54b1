#pragma once
// The sliding-window geometry a device kernel receives: plain integers, no std::array or xtensor, so the
// struct is trivially copyable into a kernel launch and readable on host and device alike.

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

struct window {
    std::size_t kh = 1, kw = 1;  // kernel
    std::size_t sh = 1, sw = 1;  // stride
    std::size_t ph = 0, pw = 0;  // padding before (top, left)
    std::size_t dh = 1, dw = 1;  // dilation
};

// Input coordinate under kernel tap r of output position o (stride s, dilation d, leading padding p), as a
// signed value: negative or >= the extent means the tap lies in the padding.
XDDP_HOST_DEVICE long long tap(std::size_t o, std::size_t r, std::size_t s, std::size_t d, std::size_t p) {
    return static_cast<long long>(o * s + r * d) - static_cast<long long>(p);
}

XDDP_HOST_DEVICE bool inside(long long v, std::size_t extent) { return v >= 0 && v < static_cast<long long>(extent); }

// Calls f(flat) for every tap of output position (i, j)'s window that lies inside an (h, w) plane, row by row
// (PyTorch's visiting order); flat = row * w + column. Padding taps are skipped.
template <class F>
XDDP_HOST_DEVICE void for_each_inside_tap(const window& win, std::size_t i, std::size_t j, std::size_t h,
                                          std::size_t w, F&& f) {
    for (std::size_t r = 0; r < win.kh; ++r) {
        const long long ii = tap(i, r, win.sh, win.dh, win.ph);
        if (!inside(ii, h)) continue;
        for (std::size_t q = 0; q < win.kw; ++q) {
            const long long jj = tap(j, q, win.sw, win.dw, win.pw);
            if (inside(jj, w)) f(static_cast<std::size_t>(ii) * w + static_cast<std::size_t>(jj));
        }
    }
}

}  // namespace xddp::kernels::device
