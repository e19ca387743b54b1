#pragma once
// hardtanh under a kernel policy: one thread per element.

#include "xddp/device/layers/elementwise.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/hardtanh.hpp"

namespace xddp {

template <>
struct device_layer<hardtanh> : elementwise_device_layer<kernels::device::hardtanh_body, &hardtanh::min_value, &hardtanh::max_value> {};

XDDP_DEVICE_LAYER(hardtanh)

}  // namespace xddp
