#pragma once
// mul (two same-shape activations) under a kernel policy: one thread per element; its contribution rule is
// the residual add's (device/layers/add.hpp).

#include "xddp/device/layer_kernel.hpp"
#include "xddp/device/layers/add.hpp"
#include "xddp/kernels/device/mul.hpp"
#include "xddp/layers/mul.hpp"

namespace xddp {

template <>
struct device_layer<mul> {
    template <class P>
    static void forward(const mul&, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::mul_body{c.x(0), c.x(1), c.y()});
    }

    template <neuron_policy N, class P>
    static void contributions(const mul&, const device_rule_call<P>& c) {
        detail::device::credit_larger_input<N>("mul", c);
    }
};

XDDP_DEVICE_LAYER(mul)

}  // namespace xddp
