#pragma once
// torchvision's resnet50 (v1.5: the stride on the 3x3 conv) with its module names. torchvision reuses one
// ReLU module three times per block; a graph has one node per use, so the first two are "relu_inner1" and
// "relu_inner2" and the one after the residual add keeps the name "relu".

#include <string>

#include "xddp/layers/flatten.hpp"
#include "xddp/model/zoo/resnet.hpp"

namespace xddp::zoo {

inline conv2d conv1x1(std::size_t in, std::size_t out, std::size_t stride = 1) {
    return conv2d({.in_channels = in, .out_channels = out, .kernel = {1, 1}, .stride = {stride, stride}, .bias = false});
}

// torchvision's Bottleneck named `prefix` ("layer1.0"): 1x1 in->width, 3x3 width->width (stride), 1x1
// width->4*width; returns the node of its output ReLU.
inline node_id bottleneck_block(graph& g, const std::string& prefix, node_id x, std::size_t in, std::size_t width,
                                std::size_t stride) {
    const std::size_t out = width * 4;
    node_id y = g.add(prefix + ".conv1", conv1x1(in, width), x);
    y = g.add(prefix + ".bn1", batch_norm(width), y);
    y = g.add(prefix + ".relu_inner1", relu{}, y);
    y = g.add(prefix + ".conv2", conv3x3(width, width, stride), y);
    y = g.add(prefix + ".bn2", batch_norm(width), y);
    y = g.add(prefix + ".relu_inner2", relu{}, y);
    y = g.add(prefix + ".conv3", conv1x1(width, out), y);
    y = g.add(prefix + ".bn3", batch_norm(out), y);
    node_id skip = x;
    if (stride != 1 || in != out) {
        skip = g.add(prefix + ".downsample.0", conv1x1(in, out, stride), x);
        skip = g.add(prefix + ".downsample.1", batch_norm(out), skip);
    }
    const node_id sum = g.add(prefix + ".resnetadd", add{}, skip, y);
    return g.add(prefix + ".relu", relu{}, sum);
}

// torchvision's resnet50, 3x224x224 -> num_classes.
inline graph resnet50(std::size_t num_classes = 1000) {
    graph g({3, 224, 224});
    node_id x = resnet_stem(
        g, conv2d({.in_channels = 3, .out_channels = 64, .kernel = {7, 7}, .stride = {2, 2}, .padding = {3, 3}, .bias = false}),
        64);
    std::size_t in = 64;
    const std::size_t widths[] = {64, 128, 256, 512}, blocks[] = {3, 4, 6, 3};
    for (std::size_t stage = 0; stage < 4; ++stage)
        for (std::size_t block = 0; block < blocks[stage]; ++block) {
            const std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
            x = bottleneck_block(g, prefix, x, in, widths[stage], stage > 0 && block == 0 ? 2 : 1);
            in = widths[stage] * 4;
        }
    x = g.add("avgpool", adaptive_avg_pool2d({1, 1}), x);
    x = g.add("flatten", flatten{}, x);
    g.add("fc", linear({.in_features = 2048, .out_features = num_classes}), x);
    return g;
}

}  // namespace xddp::zoo
