#pragma once
// elu under a kernel policy: one thread per element.

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/elu.hpp"

namespace xddp {

template <>
struct device_layer<elu> : elementwise_device_layer<kernels::device::elu_body, &elu::alpha> {};

XDDP_DEVICE_LAYER(elu)

}  // namespace xddp
