#pragma once
// The LeNet-5 of the TensorState tutorial, 1x28x28 -> 10:
// conv 1->20 k5, ELU, BN, maxpool 2; conv 20->50 k5, ELU, BN, maxpool 2; conv 50->100 k4, ELU, BN; linear 100->10.

#include "xddp/layers/batch_norm.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/elu.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/model/sequential.hpp"

namespace xddp::zoo {

inline graph lenet5() {
    return sequential({1, 28, 28})
        .then("conv_1", conv2d({.in_channels = 1, .out_channels = 20, .kernel = {5, 5}}))
        .then("elu_1", elu{})
        .then("norm_1", batch_norm(20))
        .then("maxp_1", max_pool2d({.kernel = {2, 2}}))
        .then("conv_2", conv2d({.in_channels = 20, .out_channels = 50, .kernel = {5, 5}}))
        .then("elu_2", elu{})
        .then("norm_2", batch_norm(50))
        .then("maxp_2", max_pool2d({.kernel = {2, 2}}))
        .then("conv_3", conv2d({.in_channels = 50, .out_channels = 100, .kernel = {4, 4}}))
        .then("elu_3", elu{})
        .then("norm_3", batch_norm(100))
        .then("flatten", flatten{})
        .then("pred", linear({.in_features = 100, .out_features = 10}))
        .build();
}

}  // namespace xddp::zoo
