#pragma once
// dropout under a kernel policy: a copy (inference).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/dropout.hpp"

namespace xddp {

template <>
struct device_layer<dropout> {
    template <class P>
    static void forward(const dropout&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::copy_body{c.x(), c.y()});
    }
};

XDDP_DEVICE_LAYER(dropout)

}  // namespace xddp
