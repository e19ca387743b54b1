#pragma once
// leaky_relu under a kernel policy: one thread per element.

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/leaky_relu.hpp"

namespace xddp {

template <>
struct device_layer<leaky_relu> {
    template <class P>
    static void forward(const leaky_relu& l, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::leaky_relu_body{c.x(), c.y(), l.negative_slope});
    }
};

XDDP_DEVICE_LAYER(leaky_relu)

}  // namespace xddp
