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

}  // namespace xddp::kernels::device
