#pragma once
// relu under a kernel policy: one thread per element.

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/relu.hpp"

namespace xddp {

template <>
struct device_layer<relu> {
    template <class P>
    static void forward(const relu&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::relu_body{c.x(), c.y()});
    }
};

XDDP_DEVICE_LAYER(relu)

}  // namespace xddp
