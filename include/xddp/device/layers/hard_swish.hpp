#pragma once
// hard_swish under a kernel policy: one thread per element (kernels/device/hard_swish.hpp).

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/hard_swish.hpp"
#include "xddp/layers/hard_swish.hpp"

namespace xddp {

template <>
struct device_layer<hard_swish> : elementwise_device_layer<kernels::device::hard_swish_body> {};

XDDP_DEVICE_LAYER(hard_swish)

}  // namespace xddp
