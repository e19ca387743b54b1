#pragma once
// Kernel body of channel_slice (layers/channel_slice.hpp), one thread per output element.

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// y (batch, channels, positions) = channels [begin, begin + channels) of x (batch, in_channels, positions).
struct channel_slice_body {
    const float* x;
    float* y;
    std::size_t in_channels, begin, channels, positions;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t p = t % positions, c = t / positions % channels, b = t / positions / channels;
        y[t] = x[(b * in_channels + begin + c) * positions + p];
    }
};

}  // namespace xddp::kernels::device
