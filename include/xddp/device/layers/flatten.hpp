#pragma once
// flatten under a kernel policy: a copy (the shape is all that changes).

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/flatten.hpp"

namespace xddp {

template <>
struct device_layer<flatten> : elementwise_device_layer<kernels::device::copy_body> {};

XDDP_DEVICE_LAYER(flatten)

}  // namespace xddp
