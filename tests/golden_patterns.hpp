#pragma once
// The golden model of the pattern analysis (golden/patterns/model_and_data), built with the sequential
// builder and its PyTorch-layout .npy weights, so the core tests need no ONNX reader; and the 512 inputs.

#include <algorithm>
#include <filesystem>
#include <string>

#include <xddp/io/npy.hpp>
#include <xddp/model/zoo/patterns_cnn.hpp>

#include "shared_dir.hpp"

namespace golden_patterns {

inline std::filesystem::path dir() { return shared_dir() / "golden/patterns"; }

template <class T = double>
xt::xarray<T> load(const std::string& relative) { return xddp::io::load_npy<T>(dir() / relative); }

// The golden model (zoo::patterns_cnn) with its golden weights.
inline xddp::graph model() {
    using namespace xddp;
    graph g = zoo::patterns_cnn();
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
