#pragma once
// tanh under a kernel policy: one thread per element (kernels/device/tanh.hpp).

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/tanh.hpp"
#include "xddp/layers/tanh.hpp"

namespace xddp {

template <>
struct device_layer<tanh> : elementwise_device_layer<kernels::device::tanh_body> {};

XDDP_DEVICE_LAYER(tanh)

}  // namespace xddp
