#pragma once
// VGG-style architectures with torchvision's module names: tiny_vgg (the golden DDP case) and vgg16.

#include <string>

#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/batch_norm.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/dropout.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/sequential.hpp"

namespace xddp::zoo {

// 3x32x32 -> 10: conv+ReLU, conv+BN+ReLU, maxpool 2/2, strided padded conv+ReLU, adaptive avg pool 2x2,
// linear 128->64 + ReLU + dropout, linear 64->10.
inline graph tiny_vgg() {
    return sequential({3, 32, 32})
        .then("features.0", conv2d({.in_channels = 3, .out_channels = 16, .kernel = {3, 3}, .padding = {1, 1}}))
        .then("features.1", relu{})
        .then("features.2", conv2d({.in_channels = 16, .out_channels = 16, .kernel = {3, 3}, .padding = {1, 1}}))
        .then("features.3", batch_norm(16))
        .then("features.4", relu{})
        .then("features.5", max_pool2d({.kernel = {2, 2}}))
        .then("features.6", conv2d({.in_channels = 16, .out_channels = 32, .kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}}))
        .then("features.7", relu{})
        .then("avgpool", adaptive_avg_pool2d({2, 2}))
        .then("classifier.0", linear({.in_features = 128, .out_features = 64}))
        .then("classifier.1", relu{})
        .then("classifier.2", dropout{})
        .then("classifier.3", linear({.in_features = 64, .out_features = 10}))
        .build();
}

// torchvision's vgg16 (no batch norm), 3x224x224 -> num_classes.
inline graph vgg16(std::size_t num_classes = 1000) {
    sequential s({3, 224, 224});
    const int plan[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
    std::size_t in = 3, index = 0;
    for (int c : plan) {
        if (c == 0) {
            s.then("features." + std::to_string(index++), max_pool2d({.kernel = {2, 2}}));
            continue;
        }
        const auto out = static_cast<std::size_t>(c);
        s.then("features." + std::to_string(index++),
               conv2d({.in_channels = in, .out_channels = out, .kernel = {3, 3}, .padding = {1, 1}}));
        s.then("features." + std::to_string(index++), relu{});
        in = out;
    }
    return std::move(s)
        .then("avgpool", adaptive_avg_pool2d({7, 7}))
        .then("classifier.0", linear({.in_features = 512 * 7 * 7, .out_features = 4096}))
        .then("classifier.1", relu{})
        .then("classifier.2", dropout{})
        .then("classifier.3", linear({.in_features = 4096, .out_features = 4096}))
        .then("classifier.4", relu{})
        .then("classifier.5", dropout{})
        .then("classifier.6", linear({.in_features = 4096, .out_features = num_classes}))
        .build();
}

}  // namespace xddp::zoo
