#pragma once
// hard_sigmoid under a kernel policy: one thread per element (kernels/device/hard_sigmoid.hpp).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/hard_sigmoid.hpp"
#include "xddp/layers/hard_sigmoid.hpp"

namespace xddp {

template <>
struct device_layer<hard_sigmoid> {
    template <class P>
    static void forward(const hard_sigmoid& l, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::hard_sigmoid_body{c.x(), c.y(), l.alpha, l.beta});
    }
};

XDDP_DEVICE_LAYER(hard_sigmoid)

}  // namespace xddp
