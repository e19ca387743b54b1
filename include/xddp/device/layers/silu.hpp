#pragma once
// silu under a kernel policy: one thread per element (kernels/device/silu.hpp).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/silu.hpp"
#include "xddp/layers/silu.hpp"

namespace xddp {

template <>
struct device_layer<silu> {
    template <class P>
    static void forward(const silu&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::silu_body{c.x(), c.y()});
    }
};

XDDP_DEVICE_LAYER(silu)

}  // namespace xddp
