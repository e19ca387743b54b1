#pragma once
// torchvision's mobilenet_v2 (width 1.0) with its module names: depthwise 3x3 convs (groups = channels),
// ReLU6 as hardtanh{0, 6}, inverted residual blocks with a linear bottleneck. torchvision's functional
// adaptive_avg_pool2d and flatten in forward() become the nodes "avgpool" and "flatten"; a residual sum
// is "features.N.add".

#include <string>

#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/add.hpp"
#include "xddp/layers/batch_norm.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/dropout.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/hardtanh.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/model/graph.hpp"

namespace xddp::zoo {

// Conv2dNormActivation: conv (no bias) "prefix.0", BN "prefix.1", ReLU6 "prefix.2".
inline node_id conv_bn_relu6(graph& g, const std::string& prefix, node_id x, std::size_t in, std::size_t out,
                             std::size_t kernel, std::size_t stride, std::size_t groups) {
    const std::size_t pad = (kernel - 1) / 2;
    x = g.add(prefix + ".0",
              conv2d({.in_channels = in, .out_channels = out, .kernel = {kernel, kernel}, .stride = {stride, stride},
                      .padding = {pad, pad}, .groups = groups, .bias = false}),
              x);
    x = g.add(prefix + ".1", batch_norm(out), x);
    return g.add(prefix + ".2", relu6(), x);
}

// torchvision's InvertedResidual named `prefix` ("features.2").
inline node_id inverted_residual(graph& g, const std::string& prefix, node_id x, std::size_t in, std::size_t out,
                                 std::size_t stride, std::size_t expand_ratio) {
    const std::size_t hidden = in * expand_ratio;
    std::size_t index = 0;
    node_id y = x;
    if (expand_ratio != 1) y = conv_bn_relu6(g, prefix + ".conv." + std::to_string(index++), y, in, hidden, 1, 1, 1);
    y = conv_bn_relu6(g, prefix + ".conv." + std::to_string(index++), y, hidden, hidden, 3, stride, hidden);
    y = g.add(prefix + ".conv." + std::to_string(index++),
              conv2d({.in_channels = hidden, .out_channels = out, .kernel = {1, 1}, .bias = false}), y);
    y = g.add(prefix + ".conv." + std::to_string(index++), batch_norm(out), y);
    if (stride == 1 && in == out) y = g.add(prefix + ".add", add{}, x, y);
    return y;
}

// torchvision's mobilenet_v2, 3x224x224 -> num_classes.
inline graph mobilenet_v2(std::size_t num_classes = 1000) {
    graph g({3, 224, 224});
    node_id x = conv_bn_relu6(g, "features.0", g.input(), 3, 32, 3, 2, 1);
    struct stage { std::size_t t, c, n, s; };
    const stage plan[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    std::size_t in = 32, index = 1;
    for (const stage& st : plan)
        for (std::size_t i = 0; i < st.n; ++i) {
            x = inverted_residual(g, "features." + std::to_string(index++), x, in, st.c, i == 0 ? st.s : 1, st.t);
            in = st.c;
        }
    x = conv_bn_relu6(g, "features." + std::to_string(index), x, in, 1280, 1, 1, 1);
    x = g.add("avgpool", adaptive_avg_pool2d({1, 1}), x);
    x = g.add("flatten", flatten{}, x);
    x = g.add("classifier.0", dropout{}, x);
    g.add("classifier.1", linear({.in_features = 1280, .out_features = num_classes}), x);
    return g;
}

}  // namespace xddp::zoo
