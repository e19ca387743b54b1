#pragma once
// model_cost: the static metrics of a graph for a batch size, without running it. Each node's cost comes
// from its layer (layer_cost, core/cost.hpp); the model sums them. Memory follows the execution order:
// a node's output is live from its step until its last consumer's step; the graph input and the final
// output are never counted (specs/metrics.md). live_bytes of a node is what is live while it runs, the
// "Memory" column of deeplite's layer-wise table; the peak over all nodes is the true peak.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "xddp/core/checked.hpp"
#include "xddp/core/cost.hpp"
#include "xddp/core/error.hpp"
#include "xddp/model/graph.hpp"

namespace xddp::metrics {

struct layer_row {
    node_id id = 0;
    std::string name;
    std::string kind;
    std::vector<shape_t> input_shapes;  // batch included
    shape_t output_shape;               // batch included
    layer_cost cost;
    std::uint64_t live_bytes = 0;       // activation bytes live while this node runs
};

struct model_cost {
    std::size_t batch = 1;
    std::vector<layer_row> layers;  // in execution order, one per node (the input node excluded)
    layer_cost total;               // summed; total.activation_bytes sums every node's output
    std::uint64_t peak_activation_bytes = 0;
    std::string peak_node;          // the first node where the peak is reached

    std::uint64_t macs(mac_convention c) const noexcept { return total.macs(c); }
    std::uint64_t params() const noexcept { return total.params; }
    // Parameter bytes in MiB (deeplite's "Model Size (MB)"), fp32.
    double model_size_mib() const noexcept { return static_cast<double>(total.params) * sizeof(float) / (1 << 20); }
    // deeplite's "Memory Footprint (MB)": the peak in bytes multiplied by the element size once more.
    double memory_footprint_mib() const noexcept {
        return static_cast<double>(peak_activation_bytes) * sizeof(float) / (1 << 20);
    }
};

inline model_cost analyze(const graph& g, std::size_t batch = 1) {
    if (batch == 0) throw value_error("analyze: the batch size must be positive");
    const auto nodes = g.nodes();
    const std::size_t n = nodes.size();
    model_cost result;
    result.batch = batch;
    auto with_batch = [batch](const shape_t& s) {
        shape_t out{batch};
        out.insert(out.end(), s.begin(), s.end());
        return out;
    };
    // last_use[j]: the last step that reads node j's output (j itself when nothing does).
    std::vector<node_id> last_use(n);
    for (node_id j = 0; j < n; ++j) {
        last_use[j] = j;
        for (node_id s : nodes[j].successors) last_use[j] = std::max(last_use[j], s);
    }
    std::vector<std::uint64_t> out_bytes(n, 0);
    for (node_id id = 1; id < n; ++id) {
        const node& nd = nodes[id];
        layer_row row;
        row.id = id;
        row.name = nd.name;
        row.kind = nd.layer->kind();
        for (node_id i : nd.inputs) row.input_shapes.push_back(with_batch(nodes[i].shape));
        row.output_shape = with_batch(nd.shape);
        try {
            row.cost = nd.layer->cost(row.input_shapes);
            out_bytes[id] = id == g.output() ? 0 : row.cost.activation_bytes;
            result.total += row.cost;
        } catch (const value_error& e) {  // a count past 64 bits (core/checked.hpp), named by its layer
            throw value_error("layer '" + nd.name + "' at batch " + std::to_string(batch) + ": " + e.what());
        } catch (const shape_error& e) {
            throw shape_error("layer '" + nd.name + "' at batch " + std::to_string(batch) + ": " + e.what());
        }
        result.layers.push_back(std::move(row));
    }
    // Sweep: add each output at its producer, drop it after its last consumer.
    std::vector<std::vector<node_id>> dies_after(n);
    for (node_id j = 1; j < n; ++j) dies_after[last_use[j]].push_back(j);
    std::uint64_t live = 0;
    for (node_id id = 1; id < n; ++id) {
        live = checked_add(live, out_bytes[id], "live activation bytes");
        layer_row& row = result.layers[id - 1];
        row.live_bytes = live;
        if (live > result.peak_activation_bytes) {
            result.peak_activation_bytes = live;
            result.peak_node = row.name;
        }
        for (node_id j : dies_after[id]) live -= out_bytes[j];
    }
    return result;
}

}  // namespace xddp::metrics
