#pragma once
// gelu under a kernel policy: one thread per element (kernels/device/gelu.hpp).

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/gelu.hpp"
#include "xddp/layers/gelu.hpp"

namespace xddp {

template <>
struct device_layer<gelu> : elementwise_device_layer<kernels::device::gelu_body> {};

XDDP_DEVICE_LAYER(gelu)

}  // namespace xddp
