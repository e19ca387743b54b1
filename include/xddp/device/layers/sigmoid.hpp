#pragma once
// sigmoid under a kernel policy: one thread per element (kernels/device/sigmoid.hpp).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/sigmoid.hpp"
#include "xddp/layers/sigmoid.hpp"

namespace xddp {

template <>
struct device_layer<sigmoid> {
    template <class P>
    static void forward(const sigmoid&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::sigmoid_body{c.x(), c.y()});
    }
};

XDDP_DEVICE_LAYER(sigmoid)

}  // namespace xddp
