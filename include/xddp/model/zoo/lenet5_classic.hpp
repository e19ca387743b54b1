#pragma once
// The classic LeNet-5 (LeCun et al.), as in the metrics golden (golden/metrics/model_stats.json "lenet5").

#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/sequential.hpp"

namespace xddp::zoo {

// The classic LeNet-5 of the metrics golden (specs/metrics.md), 1x28x28 -> 10: conv 1->6 k5 pad 2, ReLU,
// maxpool 2; conv 6->16 k5, ReLU, maxpool 2; linear 400->120, ReLU, 120->84, ReLU, 84->10. (The zoo's
// "lenet5" is the TensorState tutorial's network, a different one.)
inline graph lenet5_classic() {
    return sequential({1, 28, 28})
        .then("conv1", conv2d({.in_channels = 1, .out_channels = 6, .kernel = {5, 5}, .padding = {2, 2}}))
        .then("relu1", relu{})
        .then("pool1", max_pool2d({.kernel = {2, 2}}))
        .then("conv2", conv2d({.in_channels = 6, .out_channels = 16, .kernel = {5, 5}}))
        .then("relu2", relu{})
        .then("pool2", max_pool2d({.kernel = {2, 2}}))
        .then("flatten", flatten{})
        .then("fc1", linear({.in_features = 400, .out_features = 120}))
        .then("relu3", relu{})
        .then("fc2", linear({.in_features = 120, .out_features = 84}))
        .then("relu4", relu{})
        .then("fc3", linear({.in_features = 84, .out_features = 10}))
        .build();
}

}  // namespace xddp::zoo
