#pragma once
// flatten under a kernel policy: a copy (the shape is all that changes).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/flatten.hpp"

namespace xddp {

template <>
struct device_layer<flatten> {
    template <class P>
    static void forward(const flatten&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::copy_body{c.x(), c.y()});
    }
};

XDDP_DEVICE_LAYER(flatten)

}  // namespace xddp
