#pragma once
// silu under a kernel policy: one thread per element (kernels/device/silu.hpp).

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/silu.hpp"
#include "xddp/layers/silu.hpp"

namespace xddp {

template <>
struct device_layer<silu> : elementwise_device_layer<kernels::device::silu_body> {};

XDDP_DEVICE_LAYER(silu)

}  // namespace xddp
