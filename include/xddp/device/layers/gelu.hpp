#pragma once
// gelu under a kernel policy: one thread per element (kernels/device/gelu.hpp).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/gelu.hpp"
#include "xddp/layers/gelu.hpp"

namespace xddp {

template <>
struct device_layer<gelu> {
    template <class P>
    static void forward(const gelu&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::gelu_body{c.x(), c.y()});
    }
};

XDDP_DEVICE_LAYER(gelu)

}  // namespace xddp
