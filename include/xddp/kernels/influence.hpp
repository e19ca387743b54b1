#pragma once
// The mask of step 1 of a contribution profile (specs/ddp.md section 3), written once for the host
// (profile/influence.hpp) and the device kernels (kernels/device/influence.hpp): a layer's tail counts
// where it agrees in sign (> 0 or not) with the layer's head, and is 0 elsewhere.

#include "xddp/config.hpp"

namespace xddp::kernels {

XDDP_HOST_DEVICE float agreeing(float head, float tail) { return (head > 0.0f) == (tail > 0.0f) ? tail : 0.0f; }

}  // namespace xddp::kernels
