#pragma once
// contribution_profile: the contribution profile of one input (specs/ddp.md sections 3-5), under a neuron
// policy chosen at compile time, from the activations of a forward pass kept with keep::all. One batched
// forward pass serves the profiles of all its samples: the function reads the activations of `sample` only,
// keeps all its state local and never uses the thread pool, so callers run samples in parallel.
//
// layers_to_profile (profile_options::layers) follows DeepDataProfiler: only the listed layers get step 1
// (their influential neurons and neuron weights) and step 2 (their synapses to their predecessors). The
// profile holds the listed layers and their predecessors; a predecessor that is not listed gets counts only
// (the column sums of the listed successors' synapses), no weights and no synapses, as layer 0 always has.
// Layer 0 has no rule and is skipped if listed; an index past the last layer is a value_error.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/model/layer_groups.hpp"
#include "xddp/profile/influence.hpp"
#include "xddp/profile/layer_selection.hpp"
#include "xddp/profile/profile.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp {

struct profile_options {
    double threshold = 0.1;  // in (0, 1], used for influence and contribution alike
    layer_selection layers{};  // which profile layers (profile/layer_selection.hpp); every one by default
};

namespace detail::profiles {

// The one domain check of the threshold, for every entry point that takes one.
inline void check_threshold(double threshold, const std::string& where) {
    if (!(threshold > 0.0 && threshold <= 1.0))
        throw value_error(where + ": threshold " + number_text(threshold) + " is outside (0, 1]");
}

inline std::string describe(const layer_group& l) {
    return "layer " + std::to_string(l.index) + " '" + l.name + "' (" + l.kind + ")";
}

// One sample's activations of the graph nodes, checked once each for shape and finiteness.
class sample_activations {
public:
    sample_activations(const graph& g, const activations& acts, std::size_t sample)
        : g_(g), acts_(acts), sample_(sample), checked_(g.size(), 0) {
        if (acts.values.size() != g.size())
            throw value_error("contribution_profile: the activations hold " + std::to_string(acts.values.size()) +
                              " nodes, the graph has " + std::to_string(g.size()) +
                              "; expected the activations of this graph's forward(x, keep::all)");
    }

    tensor_ref get(node_id id, const shape_t& shape, const layer_group& owner) {
        const activation& a = acts_.values[id];
        if (a.size() == 0 || a.dimension() == 0)
            throw value_error("contribution_profile: " + describe(owner) + ": the activation of node '" + g_[id].name +
                              "' was not kept; run the forward pass with keep::all");
        const std::size_t batch = a.shape()[0];
        if (sample_ >= batch)
            throw value_error("contribution_profile: sample " + std::to_string(sample_) + " is out of range, the batch holds " +
                              std::to_string(batch));
        const std::size_t per = a.size() / batch;
        if (per != element_count(shape))
            throw shape_error("contribution_profile: " + describe(owner) + ": node '" + g_[id].name + "' holds " +
                              std::to_string(per) + " values per sample, expected shape " + to_string(shape));
        const float* p = a.data() + sample_ * per;
        if (!checked_[id] && !all_finite(p, per)) {
            for (std::size_t k = 0; k < per; ++k)
                if (!std::isfinite(p[k]))
                    throw value_error("contribution_profile: " + describe(owner) + ": the activation of node '" +
                                      g_[id].name + "' holds " + (std::isnan(p[k]) ? "NaN" : "Inf") + " at element " +
                                      std::to_string(k) + " of sample " + std::to_string(sample_) +
                                      "; expected finite values (check the input and the weights)");
        }
        checked_[id] = 1;
        return {p, shape};
    }

private:
    // NaN and Inf are the floats whose exponent bits are all set; an OR of comparisons vectorizes.
    static bool all_finite(const float* p, std::size_t n) {
        std::uint32_t bad = 0;
        for (std::size_t k = 0; k < n; ++k)
            bad |= static_cast<std::uint32_t>((std::bit_cast<std::uint32_t>(p[k]) & 0x7f800000u) == 0x7f800000u);
        return bad == 0;
    }

    const graph& g_;
    const activations& acts_;
    std::size_t sample_;
    std::vector<char> checked_;
};

// A profile layer can be profiled when its first node has a contribution rule and every node after it
// only reshapes or acts element-wise (grouping guarantees the latter for layers from layer_groups).
inline void check_supported(const graph& g, const layer_group& pl) {
    const node& first = g[pl.nodes.at(0)];
    if (!first.layer)
        throw unsupported_error("contribution_profile: " + describe(pl) + " has no layer to profile");
    if (first.layer->role() != profile_role::starts_layer || !first.layer->has_contribution_rule())
        throw unsupported_error("contribution_profile: " + describe(pl) + ": node '" + first.name + "' of kind " +
                                std::string(first.layer->kind()) +
                                (first.layer->role() == profile_role::opaque
                                     ? " has no contribution meaning (its layer type declares no profile role)"
                                     : " has no contribution rule (no xddp::contribution_rule specialization)") +
                                "; profiles need a rule for every profiled layer (docs/extending.md)");
    for (std::size_t k = 1; k < pl.nodes.size(); ++k) {
        const node& n = g[pl.nodes[k]];
        if (!detail::joins_group(n.layer->role()))
            throw unsupported_error("contribution_profile: " + describe(pl) + ": node '" + n.name + "' of kind " +
                                    std::string(n.layer->kind()) +
                                    " is grouped into the layer but is not element-wise; only layers whose role is "
                                    "absorbed or reshape may follow a layer's first node");
    }
    if (pl.inputs.size() != first.inputs.size())
        throw value_error("contribution_profile: " + describe(pl) + " lists " + std::to_string(pl.inputs.size()) +
                          " inputs, its node has " + std::to_string(first.inputs.size()) +
                          "; expected layer_groups(g) of this graph");
}

// Sorts by (out, in) and merges duplicates (counts add, weights count-weighted).
inline synapse_set to_synapse_set(std::size_t from, synapse_list& list) {
    std::sort(list.begin(), list.end(), [](const synapse& a, const synapse& b) {
        return a.out < b.out || (a.out == b.out && a.in < b.in);
    });
    synapse_set s;
    s.from = from;
    for (const synapse& e : list) {
        if (!s.out.empty() && s.out.back() == e.out && s.in.back() == e.in) {
            const std::uint64_t c = s.count.back();
            s.weight.back() = mean_weight(s.weight.back(), c, e.weight, 1);
            s.count.back() = c + 1;
            continue;
        }
        s.out.push_back(e.out);
        s.in.push_back(e.in);
        s.count.push_back(1);
        s.weight.push_back(e.weight);
    }
    return s;
}

// The layers to profile, ascending, and a flag per layer (specs/ddp.md layers_to_profile); checks that
// each has a contribution rule. Validates the threshold and the layer list first.
inline std::pair<std::vector<char>, std::vector<std::size_t>> layers_to_profile(const graph& g,
                                                                               std::span<const layer_group> layers,
                                                                               const profile_options& opt) {
    check_threshold(opt.threshold, "contribution_profile");
    if (layers.empty() || layers[0].kind != "input")
        throw value_error("contribution_profile: the layer list must start with the input layer 0, as layer_groups(g) gives");
    for (const layer_group& pl : layers)
        for (node_id id : pl.nodes)
            if (id >= g.size())
                throw value_error("contribution_profile: " + describe(pl) + " names node " + std::to_string(id) +
                                  ", which the graph lacks; expected layer_groups(g) of this graph");
    const std::size_t n = layers.size();
    std::vector<char> chosen(n, 0);
    if (!opt.layers.is_all()) {
        for (std::size_t k : opt.layers.indices()) {
            if (k >= n)
                throw value_error("contribution_profile: layers_to_profile names layer " + std::to_string(k) +
                                  ", the model has layers 0.." + std::to_string(n - 1));
            if (k > 0) chosen[k] = 1;
        }
    } else {
        std::fill(chosen.begin() + 1, chosen.end(), 1);
    }
    std::vector<std::size_t> ltp;
    for (std::size_t k = 1; k < n; ++k)
        if (chosen[k]) {
            detail::profiles::check_supported(g, layers[k]);
            ltp.push_back(k);
        }
    return {std::move(chosen), std::move(ltp)};
}

// Assembly (section 5) of the influential neurons and synapse sets of the profiled layers into a profile.
template <neuron_policy P>
profile assemble(std::span<const layer_group> layers, const std::vector<char>& chosen,
                 const std::vector<std::size_t>& ltp, const std::vector<std::vector<weighted_neuron>>& influential,
                 std::vector<std::vector<synapse_set>>& blocks, double thr) {
    const std::size_t n = layers.size();
    // Every synapse set exists before any neuron count is formed.
    std::vector<char> present(n, 0);
    for (const std::size_t k : ltp) {
        present[k] = 1;
        for (std::size_t p : layers[k].predecessors) present[p] = 1;
    }
    std::vector<std::vector<std::size_t>> credited(n);  // contributor indices per layer, one per synapse
    for (const std::size_t k : ltp)
        for (const synapse_set& set : blocks[k])
            credited[set.from].insert(credited[set.from].end(), set.in.begin(), set.in.end());

    profile result;
    result.neuron_type = neuron_type_of<P>;
    result.threshold = thr;
    result.num_inputs = 1;
    for (std::size_t k = 0; k < n; ++k) {
        if (!present[k]) continue;
        const layer_group& pl = layers[k];
        layer_profile lp;
        lp.index = k;
        lp.name = pl.name;
        lp.kind = pl.kind;
        lp.shape = pl.shape;
        lp.predecessors = pl.predecessors;
        lp.neurons.size = neuron_count<P>(pl.shape);
        lp.profiled = chosen[k] != 0;
        std::vector<std::size_t>& ids = credited[k];
        for (const auto& w : influential[k]) ids.push_back(w.index);
        std::sort(ids.begin(), ids.end());
        for (std::size_t i = 0; i < ids.size();) {
            std::size_t j = i;
            while (j < ids.size() && ids[j] == ids[i]) ++j;
            lp.neurons.index.push_back(ids[i]);
            lp.neurons.count.push_back(j - i);
            i = j;
        }
        if (lp.profiled) {
            lp.neurons.weight.assign(lp.neurons.index.size(), 0.0);
            std::size_t pos = 0;
            for (const auto& w : influential[k]) {
                while (lp.neurons.index[pos] != w.index) ++pos;
                lp.neurons.weight[pos] = w.weight;
            }
            lp.synapses = std::move(blocks[k]);
        }
        result.layers.push_back(std::move(lp));
    }
    return result;
}

}  // namespace detail::profiles

template <neuron_policy P>
profile contribution_profile(const graph& g, std::span<const layer_group> layers, const activations& acts,
                             std::size_t sample, const profile_options& opt) {
    const double thr = opt.threshold;
    const std::size_t n = layers.size();
    const auto [chosen, ltp] = detail::profiles::layers_to_profile(g, layers, opt);

    detail::profiles::sample_activations view(g, acts, sample);
    rule_scratch s;
    std::vector<std::vector<weighted_neuron>> influential(n);
    std::vector<std::vector<synapse_set>> blocks(n);
    std::vector<std::size_t> neurons;
    std::vector<tensor_ref> inputs;
    std::vector<synapse_list> lists;
    for (const std::size_t k : ltp) {
        const layer_group& pl = layers[k];
        const tensor_ref head = view.get(pl.head, pl.shape, pl);
        const tensor_ref tail = view.get(pl.tail, pl.shape, pl);
        influential_neurons<P>(head.data(), tail.data(), pl.shape, thr, influential[k], s);
        neurons.clear();
        for (const auto& w : influential[k]) neurons.push_back(w.index);

        inputs.clear();
        for (std::size_t p : pl.inputs) inputs.push_back(view.get(layers[p].tail, layers[p].shape, layers[p]));
        lists.assign(pl.inputs.size(), {});
        try {
            g[pl.nodes[0]].layer->template contributions<P>(
                {.inputs = inputs, .input_layers = pl.inputs, .head = head, .tail = tail, .neurons = neurons,
                 .threshold = thr, .synapses = lists, .scratch = s});
        } catch (const shape_error& e) {
            throw shape_error("contribution_profile: " + detail::profiles::describe(pl) + ": " + e.what());
        } catch (const unsupported_error& e) {
            throw unsupported_error("contribution_profile: " + detail::profiles::describe(pl) + ": " + e.what());
        }
        // One synapse set per predecessor: the lists of inputs from the same predecessor joined.
        for (const std::size_t p : pl.predecessors) {
            synapse_list joined;
            for (std::size_t b = 0; b < pl.inputs.size(); ++b)
                if (pl.inputs[b] == p) {
                    if (joined.empty()) joined.swap(lists[b]);
                    else joined.insert(joined.end(), lists[b].begin(), lists[b].end());
                }
            blocks[k].push_back(detail::profiles::to_synapse_set(p, joined));
        }
    }

    return detail::profiles::assemble<P>(layers, chosen, ltp, influential, blocks, thr);
}

// The profile of a single input x (C, H, W) or (1, C, H, W): one forward pass, every layer's activations.
template <neuron_policy P>
profile contribution_profile(const graph& g, const tensor_ref& x, const profile_options& opt = {}) {
    if (x.dimension() == g.input_shape().size() + 1 && x.shape()[0] != 1)
        throw shape_error("contribution_profile: x holds a batch of " + std::to_string(x.shape()[0]) +
                          " inputs; profile one input here, or pass the batch's activations and a sample index");
    const auto layers = layer_groups(g);
    const activations acts = g.forward(x, keep::all);
    return contribution_profile<P>(g, layers, acts, 0, opt);
}

}  // namespace xddp
