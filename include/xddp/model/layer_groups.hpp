#pragma once
// The layer grouping of DeepDataProfiler (specs/ddp.md sections 1 and 9): the graph's nodes grouped into the
// layers a contribution profile is made of. A group starts at a node whose layer has the role starts_layer
// (conv2d, linear, pools, add, ...) or opaque, and absorbs the following nodes whose role is absorbed or
// reshape while the current node has exactly one successor (conv + BN + ReLU + dropout form one group).
// Group 0 is the input. head = the first node's output (the tail where the layer says head_is_tail, as the
// residual add does, following DDP), tail = the last node's output; the group's shape is taken before any trailing reshape (flatten). Nothing here names a layer type:
// each type says its role itself (core/layer.hpp).

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/model/graph.hpp"

namespace xddp {

struct layer_group {
    std::size_t index = 0;
    std::string name;               // the first node's name ("input" for group 0)
    std::string kind;               // "input", or the first node's layer kind: "conv2d", "linear", "concat", ...
    std::vector<node_id> nodes;     // the graph nodes grouped into this layer, in order
    node_id head = 0, tail = 0;     // nodes whose outputs are the head and tail activations
    shape_t shape;                  // activation shape without batch (before any trailing flatten)
    std::vector<std::size_t> inputs;        // the group each input of the first node comes from, in input order
    std::vector<std::size_t> predecessors;  // the distinct groups among inputs, ascending
    std::vector<std::size_t> successors;
};

namespace detail {

// Nodes that may join the group before them.
inline bool joins_group(profile_role r) { return r == profile_role::absorbed || r == profile_role::reshape; }

}  // namespace detail

inline std::vector<layer_group> layer_groups(const graph& g) {
    std::vector<layer_group> groups;
    std::vector<std::size_t> owner(g.size(), static_cast<std::size_t>(-1));
    auto absorb_from = [&](layer_group& lg, node_id start) {
        node_id cur = start;
        lg.nodes = {start};
        owner[start] = lg.index;
        while (g[cur].successors.size() == 1) {
            const node_id next = g[cur].successors[0];
            if (!detail::joins_group(g[next].layer->role()) || g[next].inputs.size() != 1) break;
            cur = next;
            lg.nodes.push_back(cur);
            owner[cur] = lg.index;
        }
        lg.tail = cur;
        lg.head = start;
        node_id shaped = cur;
        while (shaped != start && g[shaped].layer->role() == profile_role::reshape) shaped = g[shaped].inputs[0];
        lg.shape = g[shaped].shape;
    };
    for (node_id id = 0; id < g.size(); ++id) {
        if (owner[id] != static_cast<std::size_t>(-1)) continue;
        const bool is_input = id == 0;
        if (!is_input && detail::joins_group(g[id].layer->role()))
            throw unsupported_error("node '" + g[id].name + "' (" + std::string(g[id].layer->kind()) +
                                    ") cannot join a profile layer: it follows a node with several successors; "
                                    "profiles expect element-wise nodes directly after a layer's single output");
        layer_group lg;
        lg.index = groups.size();
        lg.name = g[id].name;
        lg.kind = is_input ? "input" : std::string(g[id].layer->kind());
        absorb_from(lg, id);
        if (!is_input && g[id].layer->head_is_tail()) lg.head = lg.tail;
        for (node_id in : g[id].inputs) {
            const std::size_t p = owner[in];
            if (groups[p].tail != in)
                throw unsupported_error("node '" + g[id].name + "' reads '" + g[in].name +
                                        "', an inner node of profile layer '" + groups[p].name +
                                        "'; profiles need every layer to read its predecessors' tail outputs");
            lg.inputs.push_back(p);
        }
        lg.predecessors = lg.inputs;
        std::sort(lg.predecessors.begin(), lg.predecessors.end());
        lg.predecessors.erase(std::unique(lg.predecessors.begin(), lg.predecessors.end()), lg.predecessors.end());
        for (std::size_t p : lg.predecessors) groups[p].successors.push_back(lg.index);
        groups.push_back(std::move(lg));
    }
    return groups;
}

}  // namespace xddp
