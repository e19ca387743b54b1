#pragma once
// sequential: the common case of a graph, each layer fed by the one before it.
//   auto g = xddp::sequential({3, 32, 32}).then("features.0", xddp::conv2d({...})).then("features.1", xddp::relu{}).build();

#include <string>
#include <utility>

#include "xddp/model/graph.hpp"

namespace xddp {

class sequential {
public:
    explicit sequential(shape_t input_shape, std::string input_name = "input")
        : graph_(std::move(input_shape), std::move(input_name)) {}

    sequential& then(std::string name, any_layer layer) & {
        graph_.add(std::move(name), std::move(layer), graph_.output());
        return *this;
    }
    sequential&& then(std::string name, any_layer layer) && { return std::move(then(std::move(name), std::move(layer))); }

    graph build() && { return std::move(graph_); }
    graph build() const& { return graph_; }

private:
    graph graph_;
};

}  // namespace xddp
