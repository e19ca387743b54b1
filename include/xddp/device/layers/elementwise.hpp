#pragma once
// The device_layer of an element-wise layer with one input: one kernel launch of Body{x, y, members...},
// one thread per element, where Members are pointers to the layer's own parameters (elu's alpha, ...):
//
//   template <> struct device_layer<elu> : elementwise_device_layer<kernels::device::elu_body, &elu::alpha> {};
//   XDDP_DEVICE_LAYER(elu)

#include "xddp/device/layer_kernel.hpp"

namespace xddp {

template <class Body, auto... Members>
struct elementwise_device_layer {
    template <class P, class L>
    static void forward(const L& l, const device_forward_call<P>& c) {
        P::launch(c.count(), Body{c.x(), c.y(), (l.*Members)...});
    }
};

}  // namespace xddp
