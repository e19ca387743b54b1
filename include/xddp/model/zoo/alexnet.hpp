#pragma once
// torchvision's alexnet with its module names, 3x224x224 -> num_classes.

#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/dropout.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/sequential.hpp"

namespace xddp::zoo {

inline graph alexnet(std::size_t num_classes = 1000) {
    auto pool = [] { return max_pool2d({.kernel = {3, 3}, .stride = pair_t{2, 2}}); };
    auto conv = [](std::size_t in, std::size_t out, std::size_t k, std::size_t stride, std::size_t pad) {
        return conv2d({.in_channels = in, .out_channels = out, .kernel = {k, k}, .stride = {stride, stride}, .padding = {pad, pad}});
    };
    return sequential({3, 224, 224})
        .then("features.0", conv(3, 64, 11, 4, 2))
        .then("features.1", relu{})
        .then("features.2", pool())
        .then("features.3", conv(64, 192, 5, 1, 2))
        .then("features.4", relu{})
        .then("features.5", pool())
        .then("features.6", conv(192, 384, 3, 1, 1))
        .then("features.7", relu{})
        .then("features.8", conv(384, 256, 3, 1, 1))
        .then("features.9", relu{})
        .then("features.10", conv(256, 256, 3, 1, 1))
        .then("features.11", relu{})
        .then("features.12", pool())
        .then("avgpool", adaptive_avg_pool2d({6, 6}))
        .then("flatten", flatten{})
        .then("classifier.0", dropout{})
        .then("classifier.1", linear({.in_features = 256 * 6 * 6, .out_features = 4096}))
        .then("classifier.2", relu{})
        .then("classifier.3", dropout{})
        .then("classifier.4", linear({.in_features = 4096, .out_features = 4096}))
        .then("classifier.5", relu{})
        .then("classifier.6", linear({.in_features = 4096, .out_features = num_classes}))
        .build();
}

}  // namespace xddp::zoo
