#pragma once
// tanh under a kernel policy: one thread per element (kernels/device/tanh.hpp).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/tanh.hpp"
#include "xddp/layers/tanh.hpp"

namespace xddp {

template <>
struct device_layer<tanh> {
    template <class P>
    static void forward(const tanh&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::tanh_body{c.x(), c.y()});
    }
};

XDDP_DEVICE_LAYER(tanh)

}  // namespace xddp
