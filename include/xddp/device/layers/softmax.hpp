#pragma once
// softmax over channels under a kernel policy: one thread per element (kernels/device/softmax.hpp).

#include <cstddef>
#include <span>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/softmax.hpp"
#include "xddp/layers/softmax.hpp"

namespace xddp {

template <>
struct device_layer<softmax> {
    template <class P>
    static void forward(const softmax&, const device_forward_call<P>& c) {
        const shape_t& s = c.x_shape();
        P::launch(c.count(), kernels::device::channel_softmax_body{c.x(), c.y(), s[1], element_count(std::span(s).subspan(2))});
    }
};

XDDP_DEVICE_LAYER(softmax)

}  // namespace xddp
