#pragma once
// adaptive_avg_pool2d under a kernel policy: in device/layers/avg_pool2d.hpp with the other average pool.

#include "xddp/device/layers/avg_pool2d.hpp"
