#pragma once
// The TinyCNN of the pruning-sensitivity golden case, 1x16x16 -> 10:
// conv1 1->8 3x3 p1, ReLU, maxpool 2; conv2 8->16 3x3 p1, ReLU, maxpool 2; fc1 256->32, ReLU; fc2 32->10.
// Node names match its PyTorch state_dict keys (conv1.weight, ..., fc2.bias).

#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/sequential.hpp"

namespace xddp::zoo {

inline graph tiny_cnn() {
    return sequential({1, 16, 16})
        .then("conv1", conv2d({.in_channels = 1, .out_channels = 8, .kernel = {3, 3}, .padding = {1, 1}}))
        .then("relu1", relu{})
        .then("pool1", max_pool2d({.kernel = {2, 2}}))
        .then("conv2", conv2d({.in_channels = 8, .out_channels = 16, .kernel = {3, 3}, .padding = {1, 1}}))
        .then("relu2", relu{})
        .then("pool2", max_pool2d({.kernel = {2, 2}}))
        .then("flatten", flatten{})
        .then("fc1", linear({.in_features = 256, .out_features = 32}))
        .then("relu3", relu{})
        .then("fc2", linear({.in_features = 32, .out_features = 10}))
        .build();
}

}  // namespace xddp::zoo
