#pragma once
// efficiency_report: the state-space efficiency of a model as a plain value (FORMATS.md "State
// efficiency"): per capture point its neurons, states seen, distinct states, entropy and efficiency, then
// the network efficiency and, given an accuracy, aIQ. state/json.hpp writes it as JSON.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xddp/state/capture.hpp"
#include "xddp/state/efficiency.hpp"

namespace xddp {

struct layer_state_efficiency {
    std::string name;                 // capture point, "<node>_post_states"
    std::string node;                 // the node it is attached to
    capture_where where = capture_where::after;
    std::size_t neurons = 0;          // C
    std::uint64_t samples = 0;        // states seen, repeats included
    std::uint64_t distinct_states = 0;
    double entropy_bits = 0;          // Renyi entropy of order alpha
    double efficiency = 0;            // entropy_bits / neurons
};

struct efficiency_report {
    std::string model;                // what was measured, for people (may be empty)
    std::string state_hash;           // the policy: "exact" or "compact64"
    std::uint64_t num_inputs = 0;
    double alpha = 1;                 // Renyi order of the entropies (1 = Shannon)
    std::vector<layer_state_efficiency> layers;
    double network_efficiency = 0;    // geometric mean of the layer efficiencies
    std::optional<double> accuracy;   // in [0, 1], when known
    int beta = 2;                     // aIQ's weight of accuracy
    std::optional<double> aiq;        // when the accuracy is known
};

template <class Hash>
efficiency_report make_efficiency_report(const state_capture<Hash>& capture, const graph& g,
                                         std::optional<double> accuracy = std::nullopt, int beta = 2,
                                         double alpha = 1.0) {
    efficiency_report r;
    r.state_hash = std::string(Hash::name);
    r.alpha = alpha;
    r.beta = beta;
    r.accuracy = accuracy;
    std::vector<double> efficiencies;
    for (const auto& p : capture.points()) {
        const count_histogram h = p.states.histogram();
        layer_state_efficiency l;
        l.name = p.name;
        l.node = g[p.node].name;
        l.where = p.where;
        l.neurons = p.neurons;
        l.samples = h.states();
        l.distinct_states = h.distinct();
        l.entropy_bits = renyi_entropy(h, alpha);
        l.efficiency = layer_efficiency(h, p.neurons, alpha);
        r.num_inputs = p.states.inputs();
        efficiencies.push_back(l.efficiency);
        r.layers.push_back(std::move(l));
    }
    r.network_efficiency = network_efficiency(std::span<const double>(efficiencies));
    if (accuracy) r.aiq = aiq(r.network_efficiency, *accuracy, beta);
    return r;
}

}  // namespace xddp
