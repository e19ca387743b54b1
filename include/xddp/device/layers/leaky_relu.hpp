#pragma once
// leaky_relu under a kernel policy: one thread per element.

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/leaky_relu.hpp"

namespace xddp {

template <>
struct device_layer<leaky_relu> : elementwise_device_layer<kernels::device::leaky_relu_body, &leaky_relu::negative_slope> {};

XDDP_DEVICE_LAYER(leaky_relu)

}  // namespace xddp
