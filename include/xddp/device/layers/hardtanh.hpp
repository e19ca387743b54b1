#pragma once
// hardtanh under a kernel policy: one thread per element.

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/hardtanh.hpp"

namespace xddp {

template <>
struct device_layer<hardtanh> {
    template <class P>
    static void forward(const hardtanh& l, const device_forward_call<P>& c) {
        P::launch(c.count(), kernels::device::hardtanh_body{c.x(), c.y(), l.min_value, l.max_value});
    }
};

XDDP_DEVICE_LAYER(hardtanh)

}  // namespace xddp
