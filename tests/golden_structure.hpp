#pragma once
// The per-layer fields of a golden structure.json that every way of building a model (C++ zoo, ONNX
// import) must reproduce: name, kind, shape, predecessors, successors.

#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "xddp/model/layer_groups.hpp"

namespace golden {

inline void check_layer_structure(const xddp::layer_group& l, const nlohmann::json& expected) {
    CHECK(l.name == expected["name"].get<std::string>());
    CHECK(l.kind == expected["kind"].get<std::string>());
    CHECK(l.shape == expected["shape"].get<xddp::shape_t>());
    CHECK(l.predecessors == expected["predecessors"].get<std::vector<std::size_t>>());
    CHECK(l.successors == expected["successors"].get<std::vector<std::size_t>>());
}

}  // namespace golden
