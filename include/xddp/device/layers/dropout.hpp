#pragma once
// dropout under a kernel policy: a copy (inference).

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/dropout.hpp"

namespace xddp {

template <>
struct device_layer<dropout> : elementwise_device_layer<kernels::device::copy_body> {};

XDDP_DEVICE_LAYER(dropout)

}  // namespace xddp
