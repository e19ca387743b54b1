#pragma once
// relu under a kernel policy: one thread per element.

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/relu.hpp"

namespace xddp {

template <>
struct device_layer<relu> : elementwise_device_layer<kernels::device::relu_body> {};

XDDP_DEVICE_LAYER(relu)

}  // namespace xddp
