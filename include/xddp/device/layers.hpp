#pragma once
// The device kernels of xddp's own layer types (device_layer<L>, device/layer_kernel.hpp): the one list of
// them, included by the device drivers. A new layer type's device kernels are a new header in
// device/layers/ and one line here.

#include "xddp/device/layers/adaptive_avg_pool2d.hpp"
#include "xddp/device/layers/add.hpp"
#include "xddp/device/layers/batch_norm.hpp"
#include "xddp/device/layers/channel_scale.hpp"
#include "xddp/device/layers/conv2d.hpp"
#include "xddp/device/layers/dropout.hpp"
#include "xddp/device/layers/elu.hpp"
#include "xddp/device/layers/flatten.hpp"
#include "xddp/device/layers/gate.hpp"
#include "xddp/device/layers/gelu.hpp"
#include "xddp/device/layers/hard_sigmoid.hpp"
#include "xddp/device/layers/hard_swish.hpp"
#include "xddp/device/layers/hardtanh.hpp"
#include "xddp/device/layers/leaky_relu.hpp"
#include "xddp/device/layers/linear.hpp"
#include "xddp/device/layers/max_pool2d.hpp"
#include "xddp/device/layers/mul.hpp"
#include "xddp/device/layers/relu.hpp"
#include "xddp/device/layers/sigmoid.hpp"
#include "xddp/device/layers/silu.hpp"
#include "xddp/device/layers/softmax.hpp"
#include "xddp/device/layers/tanh.hpp"
