#pragma once
// The MODEL argument every subcommand takes:
//   ARCH:WEIGHTS_DIR   a built-in architecture with weights from a folder of .npy files
//   ARCH               a built-in architecture with deterministic seeded weights
// (ONNX files join these when the ONNX reader is built.)

#include <string>

#include <xddp/model/seeded_weights.hpp>
#include <xddp/model/weights.hpp>
#include <xddp/model/zoo.hpp>

namespace xddp::tool {

struct loaded_model {
    std::string description;
    graph model;
};

inline loaded_model load_model(const std::string& spec) {
    const auto colon = spec.find(':');
    const std::string arch = spec.substr(0, colon);
    graph g = zoo::build(arch);
    if (colon == std::string::npos) {
        seed_weights(g, 0);
        return {arch + " (seeded weights)", std::move(g)};
    }
    const std::string folder = spec.substr(colon + 1);
    load_weights(g, folder);
    return {arch + " (weights from " + folder + ")", std::move(g)};
}

}  // namespace xddp::tool
