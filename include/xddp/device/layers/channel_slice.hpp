#pragma once
// channel_slice under a kernel policy: one thread per output element; its rule routes
// (device/layers/routing.hpp).

#include <cstddef>
#include <span>

#include "xddp/device/layers/routing.hpp"
#include "xddp/kernels/device/channel_slice.hpp"
#include "xddp/layers/channel_slice.hpp"

namespace xddp {

template <>
struct device_layer<channel_slice> : routing_device_rule<channel_slice> {
    template <class P>
    static void forward(const channel_slice& s, const device_forward_call<P>& c) {
        const shape_t& in = c.x_shape();
        P::launch(c.count(), kernels::device::channel_slice_body{c.x(), c.y(), in[1], s.begin(), c.output.shape[1],
                                                                 element_count(std::span(in).subspan(2))});
    }
};

XDDP_DEVICE_LAYER(channel_slice)

}  // namespace xddp
