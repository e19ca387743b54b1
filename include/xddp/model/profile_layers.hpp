#pragma once
// The layer grouping of DeepDataProfiler (specs/ddp.md section 1): a profile layer starts at a conv2d,
// linear, pool or residual add node and absorbs the following nodes while the current one has exactly one
// successor that does not start a layer itself (conv + BN + ReLU + dropout form one layer). Layer 0 is
// the input. head = first node's output (an add layer's head is its tail), tail = last node's output.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/model/graph.hpp"

namespace xddp {

struct profile_layer {
    std::size_t index = 0;
    std::string name;               // the first node's name ("input" for layer 0)
    std::string kind;               // "input", "conv2d", "linear", "max_pool2d", ...
    std::vector<node_id> nodes;     // the graph nodes grouped into this layer, in order
    node_id head = 0, tail = 0;     // nodes whose outputs are the head and tail activations
    shape_t shape;                  // activation shape without batch (before any trailing flatten)
    std::vector<std::size_t> predecessors;  // profile layer indices, ascending
    std::vector<std::size_t> successors;
};

inline std::vector<profile_layer> profile_layers(const graph& g) {
    std::vector<profile_layer> layers;
    std::vector<std::size_t> owner(g.size(), static_cast<std::size_t>(-1));
    auto absorb_from = [&](profile_layer& pl, node_id start) {
        node_id cur = start;
        pl.nodes = {start};
        owner[start] = pl.index;
        while (g[cur].successors.size() == 1) {
            const node_id next = g[cur].successors[0];
            if (starts_profile_layer(g[next].layer->kind()) || g[next].inputs.size() != 1) break;
            cur = next;
            pl.nodes.push_back(cur);
            owner[cur] = pl.index;
        }
        pl.tail = cur;
        pl.head = start;
        node_id shaped = cur;
        while (shaped != start && g[shaped].layer->kind() == layer_kind::flatten) shaped = g[shaped].inputs[0];
        pl.shape = g[shaped].shape;
    };
    for (node_id id = 0; id < g.size(); ++id) {
        if (owner[id] != static_cast<std::size_t>(-1)) continue;
        const bool is_input = id == 0;
        if (!is_input && !starts_profile_layer(g[id].layer->kind()))
            throw unsupported_error("node '" + g[id].name + "' (" + std::string(to_string(g[id].layer->kind())) +
                                    ") cannot join a profile layer: it follows a node with several successors; "
                                    "profiles expect element-wise nodes directly after a layer's single output");
        profile_layer pl;
        pl.index = layers.size();
        pl.name = g[id].name;
        pl.kind = is_input ? "input" : std::string(to_string(g[id].layer->kind()));
        absorb_from(pl, id);
        if (pl.kind == "add") pl.head = pl.tail;
        for (node_id in : g[id].inputs) {
            const std::size_t p = owner[in];
            if (layers[p].tail != in)
                throw unsupported_error("node '" + g[id].name + "' reads '" + g[in].name +
                                        "', an inner node of profile layer '" + layers[p].name +
                                        "'; profiles need every layer to read its predecessors' tail outputs");
            pl.predecessors.push_back(p);
        }
        std::sort(pl.predecessors.begin(), pl.predecessors.end());
        for (std::size_t p : pl.predecessors) layers[p].successors.push_back(pl.index);
        layers.push_back(std::move(pl));
    }
    return layers;
}

}  // namespace xddp
