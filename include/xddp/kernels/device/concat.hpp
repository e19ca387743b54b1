#pragma once
// Kernel body of concat (layers/concat.hpp), one launch per input and one thread per element of that input,
// which lands in its channel block of the output: the inputs are separate buffers, so a body over the
// output would need a device table of their pointers; this one takes plain pointers and sizes.

#include <cstddef>

#include "xddp/config.hpp"

namespace xddp::kernels::device {

// Input x of shape (batch, channels, positions) into channels [offset, offset + channels) of y of shape
// (batch, out_channels, positions).
struct concat_part_body {
    const float* x;
    float* y;
    std::size_t channels, out_channels, offset, positions;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t p = t % positions, c = t / positions % channels, b = t / positions / channels;
        y[(b * out_channels + offset + c) * positions + p] = x[t];
    }
};

}  // namespace xddp::kernels::device
