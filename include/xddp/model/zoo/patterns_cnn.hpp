#pragma once
// The 5-layer CNN of the pattern-analysis golden case (golden/patterns, "When Explanations Lie"), 3x16x16 -> 10:
// conv1 3->16 3x3 p1, ReLU; conv2 16->32 3x3, ReLU, maxpool 2; conv3 32->32 3x3 p1, ReLU; flatten;
// fc1 1568->64, ReLU; fc2 64->10. Node names match its PyTorch state_dict keys (conv1.weight, ..., fc2.bias).

#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/sequential.hpp"

namespace xddp::zoo {

inline graph patterns_cnn() {
    return sequential({3, 16, 16})
        .then("conv1", conv2d({.in_channels = 3, .out_channels = 16, .kernel = {3, 3}, .padding = {1, 1}}))
        .then("relu1", relu{})
        .then("conv2", conv2d({.in_channels = 16, .out_channels = 32, .kernel = {3, 3}}))
        .then("relu2", relu{})
        .then("pool", max_pool2d({.kernel = {2, 2}}))
        .then("conv3", conv2d({.in_channels = 32, .out_channels = 32, .kernel = {3, 3}, .padding = {1, 1}}))
        .then("relu3", relu{})
        .then("flatten", flatten{})
        .then("fc1", linear({.in_features = 1568, .out_features = 64}))
        .then("relu4", relu{})
        .then("fc2", linear({.in_features = 64, .out_features = 10}))
        .build();
}

}  // namespace xddp::zoo
