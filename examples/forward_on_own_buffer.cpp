// The README's library example, compiled so that it cannot rot: a model built in C++, run on the
// caller's own buffer without a copy, with every layer's activation kept.

#include <array>
#include <iostream>
#include <vector>

#include <xddp/xddp.hpp>

int main() {
    xddp::graph g = xddp::sequential({3, 32, 32})
        .then("features.0", xddp::conv2d({.in_channels = 3, .out_channels = 16, .kernel = {3, 3}, .padding = {1, 1}}))
        .then("features.1", xddp::relu{})
        .then("features.2", xddp::max_pool2d({.kernel = {2, 2}}))
        .then("classifier", xddp::linear({.in_features = 16 * 16 * 16, .out_features = 10}))
        .build();
    xddp::seed_weights(g, 42);  // or xddp::load_weights(g, "weights/")

    std::vector<float> pixels(8 * 3 * 32 * 32, 0.5f);
    auto x = xddp::host::adapt(pixels.data(), std::array<std::size_t, 4>{8, 3, 32, 32});
    const xddp::activations acts = g.forward(x, xddp::keep::all);
    std::cout << "logits shape " << xddp::to_string(xddp::shape_t(acts.output().shape().begin(), acts.output().shape().end()))
              << '\n';
    for (const xddp::layer_group& l : xddp::layer_groups(g))
        std::cout << "layer " << l.index << " " << l.name << " (" << l.kind << ") " << xddp::to_string(l.shape) << '\n';
}
