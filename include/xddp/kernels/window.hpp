#pragma once
// Window arithmetic, written once for the host rules and layers and the device kernels: the tap geometry
// (plain integers, trivially copyable into a kernel launch), where a kernel tap lands, PyTorch's adaptive
// windows and the average pool's clipped window and divisor. window2d describes a layer's window (with end
// padding and ceil_mode, for the host kernels and the output size); taps_of(window2d) gives the plain tap
// geometry a device kernel receives.

#include <array>
#include <cstddef>

#include "xddp/config.hpp"

namespace xddp {

using pair_t = std::array<std::size_t, 2>;

struct window2d {
    pair_t kernel{1, 1};
    pair_t stride{1, 1};
    pair_t pad_begin{0, 0};  // top, left
    pair_t pad_end{0, 0};    // bottom, right
    pair_t dilation{1, 1};
    bool ceil_mode = false;

    std::size_t extent(int d) const { return dilation[d] * (kernel[d] - 1) + 1; }

    // Output extent along dimension d (0 = height, 1 = width) for input extent n, or 0 if none fits.
    std::size_t output(std::size_t n, int d) const {
        const std::size_t padded = n + pad_begin[d] + pad_end[d];
        if (padded < extent(d)) return 0;
        std::size_t span = padded - extent(d);
        std::size_t out = (ceil_mode ? (span + stride[d] - 1) / stride[d] : span / stride[d]) + 1;
        // PyTorch: with ceil_mode the last window must start inside the input or the leading padding.
        if (ceil_mode && (out - 1) * stride[d] >= n + pad_begin[d]) --out;
        return out;
    }
};

}  // namespace xddp

namespace xddp::kernels {

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
#if defined(__CUDACC__)
#pragma nv_exec_check_disable  // instantiated with host-only callables by the host rules
#endif
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

// PyTorch's adaptive pooling window along one dimension: input [begin, end) for output index o of `out`,
// input extent n (windows overlap when the sizes do not divide).
XDDP_HOST_DEVICE std::size_t adaptive_begin(std::size_t o, std::size_t n, std::size_t out) { return o * n / out; }
XDDP_HOST_DEVICE std::size_t adaptive_end(std::size_t o, std::size_t n, std::size_t out) {
    return ((o + 1) * n + out - 1) / out;
}

// An average pool's window along one dimension, clipped to the input: input [begin, end) and PyTorch's
// divisor extent (the window clipped to the padded input when padding counts, else end - begin).
struct pool_span {
    std::size_t begin, end, divisor;
};

XDDP_HOST_DEVICE pool_span avg_pool_span(std::size_t o, std::size_t n, std::size_t kernel, std::size_t stride,
                                         std::size_t pad_begin, std::size_t pad_end, bool count_include_pad) {
    const long long start = static_cast<long long>(o * stride) - static_cast<long long>(pad_begin);
    long long stop = start + static_cast<long long>(kernel);
    if (stop > static_cast<long long>(n + pad_end)) stop = static_cast<long long>(n + pad_end);
    const std::size_t b = static_cast<std::size_t>(start < 0 ? 0 : start);
    const std::size_t e = static_cast<std::size_t>(stop < static_cast<long long>(n) ? stop : static_cast<long long>(n));
    return {b, e, count_include_pad ? static_cast<std::size_t>(stop - start) : e - b};
}

}  // namespace xddp::kernels
