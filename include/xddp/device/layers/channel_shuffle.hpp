#pragma once
// channel_shuffle under a kernel policy: one thread per output element; its rule routes
// (device/layers/routing.hpp).

#include <cstddef>
#include <span>

#include "xddp/device/layers/routing.hpp"
#include "xddp/kernels/device/channel_shuffle.hpp"
#include "xddp/layers/channel_shuffle.hpp"

namespace xddp {

template <>
struct device_layer<channel_shuffle> : routing_device_rule<channel_shuffle> {
    template <class P>
    static void forward(const channel_shuffle& s, const device_forward_call<P>& c) {
        const shape_t& in = c.x_shape();
        P::launch(c.count(), kernels::device::channel_shuffle_body{c.x(), c.y(), in[1], s.groups(),
                                                                   element_count(std::span(in).subspan(2))});
    }
};

XDDP_DEVICE_LAYER(channel_shuffle)

}  // namespace xddp
