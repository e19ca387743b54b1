#pragma once
// The golden model of the pattern analysis (golden/patterns/model_and_data), built with the sequential
// builder and its PyTorch-layout .npy weights, so the core tests need no ONNX reader; and the 512 inputs.

#include <algorithm>
#include <filesystem>
#include <string>

#include <xddp/io/npy.hpp>
#include <xddp/layers/conv2d.hpp>
#include <xddp/layers/flatten.hpp>
#include <xddp/layers/linear.hpp>
#include <xddp/layers/max_pool2d.hpp>
#include <xddp/layers/relu.hpp>
#include <xddp/model/sequential.hpp>

#include "shared_dir.hpp"

namespace golden_patterns {

inline std::filesystem::path dir() { return shared_dir() / "golden/patterns"; }

template <class T = double>
xt::xarray<T> load(const std::string& relative) { return xddp::io::load_npy<T>(dir() / relative); }

// conv1 3->16 k3 p1, ReLU, conv2 16->32 k3 p0, ReLU, maxpool 2, conv3 32->32 k3 p1, ReLU, flatten,
// fc1 1568->64, ReLU, fc2 64->10.
inline xddp::graph model() {
    using namespace xddp;
    graph g = sequential({3, 16, 16})
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
    for (node_id id = 1; id < g.size(); ++id) {
        node& n = g.at(id);
        for (const parameter& p : n.layer->parameters()) {
            const auto v = load<float>("model_and_data/" + n.name + "." + p.name + ".npy");
            if (shape_t(v.shape().begin(), v.shape().end()) != p.shape) throw shape_error("golden weight " + n.name);
            std::copy(v.begin(), v.end(), p.data);
        }
    }
    return g;
}

inline xt::xarray<float> inputs() { return load<float>("model_and_data/x_nchw.npy"); }

}  // namespace golden_patterns
