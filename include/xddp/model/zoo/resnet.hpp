#pragma once
// ResNet architectures with torchvision's module names: the basic block, tiny_resnet (the golden DDP
// case) and resnet18. Each block has its own inner ReLU ("relu_inner") and an out-of-place residual add
// ("resnetadd") followed by "relu", the grouping DeepDataProfiler's intended semantics expect.

#include <string>

#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/add.hpp"
#include "xddp/layers/batch_norm.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/graph.hpp"

namespace xddp::zoo {

inline conv2d conv3x3(std::size_t in, std::size_t out, std::size_t stride) {
    return conv2d({.in_channels = in, .out_channels = out, .kernel = {3, 3}, .stride = {stride, stride},
                   .padding = {1, 1}, .bias = false});
}

// torchvision's BasicBlock named `prefix` ("layer1.0"); returns the node of its output ReLU.
inline node_id basic_block(graph& g, const std::string& prefix, node_id x, std::size_t in, std::size_t out,
                           std::size_t stride) {
    node_id y = g.add(prefix + ".conv1", conv3x3(in, out, stride), x);
    y = g.add(prefix + ".bn1", batch_norm(out), y);
    y = g.add(prefix + ".relu_inner", relu{}, y);
    y = g.add(prefix + ".conv2", conv3x3(out, out, 1), y);
    y = g.add(prefix + ".bn2", batch_norm(out), y);
    node_id skip = x;
    if (stride != 1 || in != out) {
        skip = g.add(prefix + ".downsample.0",
                     conv2d({.in_channels = in, .out_channels = out, .kernel = {1, 1}, .stride = {stride, stride}, .bias = false}),
                     x);
        skip = g.add(prefix + ".downsample.1", batch_norm(out), skip);
    }
    const node_id sum = g.add(prefix + ".resnetadd", add{}, skip, y);
    return g.add(prefix + ".relu", relu{}, sum);
}

// The stem: conv (no bias), bn1, relu, maxpool 3/2/1.
inline node_id resnet_stem(graph& g, conv2d conv, std::size_t channels) {
    node_id x = g.add("conv1", std::move(conv), g.input());
    x = g.add("bn1", batch_norm(channels), x);
    x = g.add("relu", relu{}, x);
    return g.add("maxpool", max_pool2d({.kernel = {3, 3}, .stride = pair_t{2, 2}, .padding = {1, 1}}), x);
}

// 3x32x32 -> 10: stem 3->16 (3x3), one identity block (16), one downsampling block (16->32, stride 2),
// global average pool, linear 32->10.
inline graph tiny_resnet() {
    graph g({3, 32, 32});
    node_id x = resnet_stem(g, conv3x3(3, 16, 1), 16);
    x = basic_block(g, "layer1.0", x, 16, 16, 1);
    x = basic_block(g, "layer2.0", x, 16, 32, 2);
    x = g.add("avgpool", adaptive_avg_pool2d({1, 1}), x);
    g.add("fc", linear({.in_features = 32, .out_features = 10}), x);
    return g;
}

// torchvision's resnet18, 3x224x224 -> num_classes.
inline graph resnet18(std::size_t num_classes = 1000) {
    graph g({3, 224, 224});
    node_id x = resnet_stem(
        g, conv2d({.in_channels = 3, .out_channels = 64, .kernel = {7, 7}, .stride = {2, 2}, .padding = {3, 3}, .bias = false}),
        64);
    std::size_t in = 64;
    const std::size_t widths[] = {64, 128, 256, 512};
    for (std::size_t stage = 0; stage < 4; ++stage) {
        const std::size_t out = widths[stage];
        for (std::size_t block = 0; block < 2; ++block) {
            const std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(block);
            x = basic_block(g, prefix, x, in, out, stage > 0 && block == 0 ? 2 : 1);
            in = out;
        }
    }
    x = g.add("avgpool", adaptive_avg_pool2d({1, 1}), x);
    g.add("fc", linear({.in_features = 512, .out_features = num_classes}), x);
    return g;
}

}  // namespace xddp::zoo
