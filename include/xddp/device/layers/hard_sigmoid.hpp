#pragma once
// hard_sigmoid under a kernel policy: one thread per element (kernels/device/hard_sigmoid.hpp).

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/hard_sigmoid.hpp"
#include "xddp/layers/hard_sigmoid.hpp"

namespace xddp {

template <>
struct device_layer<hard_sigmoid> : elementwise_device_layer<kernels::device::hard_sigmoid_body, &hard_sigmoid::alpha, &hard_sigmoid::beta> {};

XDDP_DEVICE_LAYER(hard_sigmoid)

}  // namespace xddp
