#pragma once
// Kernel body of channel_shuffle (layers/channel_shuffle.hpp), one thread per output element.

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// y (batch, channels, positions): output channel c is input channel (c % groups) * (channels / groups) + c / groups.
struct channel_shuffle_body {
    const float* x;
    float* y;
    std::size_t channels, groups, positions;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t p = t % positions, c = t / positions % channels, b = t / positions / channels;
        const std::size_t source = c % groups * (channels / groups) + c / groups;
        y[t] = x[(b * channels + source) * positions + p];
    }
};

}  // namespace xddp::kernels::device
