#pragma once
// sigmoid under a kernel policy: one thread per element (kernels/device/sigmoid.hpp).

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/sigmoid.hpp"
#include "xddp/layers/sigmoid.hpp"

namespace xddp {

template <>
struct device_layer<sigmoid> : elementwise_device_layer<kernels::device::sigmoid_body> {};

XDDP_DEVICE_LAYER(sigmoid)

}  // namespace xddp
