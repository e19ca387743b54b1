#pragma once
// A model_builder's model imported from memory, as load_onnx imports the file (the importer tests' one
// way to load what they build), and the layer of type L a named node of it holds.

#include <doctest/doctest.h>

#include <string>

#include <xddp/io/onnx.hpp>

#include "test_onnx_builder.hpp"

namespace onnx_test {

inline xddp::graph load(const model_builder& b, const xddp::io::onnx_options& options = {}) {
    return xddp::io::load_onnx_from_memory(b.bytes(), options);
}

// The layer of node `name`, which must exist and be an L (the test stops otherwise, naming what it is).
template <class L>
const L& layer_of(const xddp::graph& g, const std::string& name) {
    const auto id = g.find(name);
    REQUIRE_MESSAGE(id, "no node ", name);
    const L* l = g[*id].layer->get_if<L>();
    REQUIRE_MESSAGE(l, name, " is a ", g[*id].layer->kind());
    return *l;
}

}  // namespace onnx_test
