#pragma once
// channel_scale under a kernel policy: its factors (and shifts) uploaded once, one thread per element.

#include <cstddef>
#include <span>
#include <vector>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/channel_scale.hpp"
#include "xddp/layers/channel_scale.hpp"

namespace xddp {

template <>
struct device_layer<channel_scale> {
    template <class P>
    static std::vector<device_buffer<P>> upload(const channel_scale& s) {
        std::vector<device_buffer<P>> p;
        p.push_back(to_device_buffer<P>(s.weight().data(), s.weight().size()));
        if (s.has_bias()) p.push_back(to_device_buffer<P>(s.bias().data(), s.bias().size()));
        return p;
    }

    template <class P>
    static void forward(const channel_scale& s, const device_forward_call<P>& c) {
        const std::size_t positions = element_count(std::span(c.x_shape()).subspan(2));
        P::launch(c.count(), kernels::device::channel_scale_body{c.x(), c.y(), c.parameters[0].data(),
                                                                       s.has_bias() ? c.parameters[1].data() : nullptr,
                                                                       s.channels(), positions});
    }
};

XDDP_DEVICE_LAYER(channel_scale)

}  // namespace xddp
