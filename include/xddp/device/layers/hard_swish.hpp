#pragma once
// hard_swish under a kernel policy: one thread per element (kernels/device/hard_swish.hpp).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/hard_swish.hpp"
#include "xddp/layers/hard_swish.hpp"

namespace xddp {

template <>
struct device_layer<hard_swish> {
    template <class P>
    static void forward(const hard_swish&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::hard_swish_body{c.x(), c.y()});
    }
};

XDDP_DEVICE_LAYER(hard_swish)

}  // namespace xddp
