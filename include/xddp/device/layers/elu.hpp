#pragma once
// elu under a kernel policy: one thread per element.

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/elu.hpp"

namespace xddp {

template <>
struct device_layer<elu> {
    template <class P>
    static void forward(const elu& l, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::elu_body{c.x(), c.y(), l.alpha});
    }
};

XDDP_DEVICE_LAYER(elu)

}  // namespace xddp
