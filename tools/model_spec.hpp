#pragma once
// The MODEL argument every subcommand takes:
//   PATH.onnx          an ONNX model file (where the program is built with the ONNX reader, xddp::onnx)
//   ARCH:WEIGHTS_DIR   a built-in architecture with weights from a folder of .npy files
//   ARCH               a built-in architecture with deterministic seeded weights

#include <string>

#include <xddp/core/error.hpp>
#include <xddp/model/seeded_weights.hpp>
#include <xddp/model/weights.hpp>
#include <xddp/model/zoo.hpp>
#if defined(XDDP_WITH_ONNX)
#include <xddp/io/onnx.hpp>
#endif

namespace xddp::tool {

struct loaded_model {
    std::string description;
    graph model;
};

inline loaded_model load_model(const std::string& spec) {
    if (spec.ends_with(".onnx")) {
#if defined(XDDP_WITH_ONNX)
        return {spec + " (ONNX)", io::load_onnx(spec)};
#else
        throw unsupported_error("'" + spec + "': this xddp was built without the ONNX reader; rebuild with "
                                "libonnx-dev and libprotobuf-dev installed (CMake option XDDP_ONNX)");
#endif
    }
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
