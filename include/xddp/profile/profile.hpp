#pragma once
// profile: a contribution profile as a plain value (specs/ddp.md sections 5-6, FORMATS.md "Profile").
// Per layer: sparse neuron counts and weights over flat neuron indices, and per predecessor a sparse list
// of synapses (out, in, count, weight) sorted by (out, in). Memory is proportional to the nonzeros.
// Profiles add (class profiles): counts add, weights become count-weighted means, num_inputs adds.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/neuron_policy.hpp"
#include "xddp/core/shape.hpp"

namespace xddp {

enum class profile_neuron_type { channel, element, mixed };

inline constexpr std::string_view to_string(profile_neuron_type t) {
    switch (t) {
        case profile_neuron_type::channel: return "channel";
        case profile_neuron_type::element: return "element";
        case profile_neuron_type::mixed: return "mixed";
    }
    return "unknown";
}

template <neuron_policy P>
inline constexpr profile_neuron_type neuron_type_of =
    std::same_as<P, channel_neurons> ? profile_neuron_type::channel : profile_neuron_type::element;

// The neurons of one layer with a nonzero count.
struct neuron_set {
    std::size_t size = 0;                // number of flat neuron indices the layer has
    std::vector<std::size_t> index;      // ascending
    std::vector<std::uint64_t> count;    // same length as index
    std::vector<double> weight;          // same length as index, or empty: the layer has counts only

    std::size_t nonzeros() const { return static_cast<std::size_t>(std::count_if(count.begin(), count.end(), [](auto c) { return c != 0; })); }
    std::uint64_t total() const {
        std::uint64_t t = 0;
        for (auto c : count) t += c;
        return t;
    }
    double weight_at(std::size_t k) const { return weight.empty() ? 0.0 : weight[k]; }
    bool operator==(const neuron_set&) const = default;
};

// The synapses from one predecessor layer into a layer, sorted by (out, in), no duplicates.
struct synapse_set {
    std::size_t from = 0;                // predecessor layer index
    std::vector<std::size_t> out;        // neurons of this layer
    std::vector<std::size_t> in;         // neurons of the predecessor
    std::vector<std::uint64_t> count;
    std::vector<double> weight;

    std::size_t size() const { return out.size(); }
    std::size_t nonzeros() const { return static_cast<std::size_t>(std::count_if(count.begin(), count.end(), [](auto c) { return c != 0; })); }
    bool operator==(const synapse_set&) const = default;
};

struct layer_profile {
    std::size_t index = 0;
    std::string name;
    std::string kind;                       // input, conv2d, linear, max_pool2d, avg_pool2d, adaptive_avg_pool2d, add
    shape_t shape;                          // activation shape without batch
    std::vector<std::size_t> predecessors;  // ascending
    neuron_set neurons;
    // Influence and contributions were computed for this layer: it has neuron weights and one synapse set
    // per predecessor. False for layer 0 and for a predecessor of a profiled layer outside layers_to_profile.
    bool profiled = false;
    std::vector<synapse_set> synapses;

    const synapse_set* synapses_from(std::size_t layer) const {
        for (const auto& s : synapses)
            if (s.from == layer) return &s;
        return nullptr;
    }
    std::size_t num_synapses() const {
        std::size_t n = 0;
        for (const auto& s : synapses) n += s.nonzeros();
        return n;
    }
    bool operator==(const layer_profile&) const = default;
};

// A neuron of the dict view: (layer, index tuple); the tuple is (c,) for a channel, (c, i, j) for an
// element of a (C, H, W) layer, (n,) for a vector element.
struct neuron_key {
    std::size_t layer = 0;
    std::vector<std::size_t> index;
    auto operator<=>(const neuron_key&) const = default;
};
// A synapse of the dict view: ((layer_in, idx_in), (layer_out, idx_out)).
struct synapse_key {
    neuron_key in, out;
    auto operator<=>(const synapse_key&) const = default;
};

// DDP's Profile.dict_view(): neurons and synapses keyed by their layer and index tuples. Neuron weights
// hold the nonzero weights only (influential neurons); synapse weights every synapse's.
struct profile_dict {
    std::map<neuron_key, std::uint64_t> neuron_counts;
    std::map<neuron_key, double> neuron_weights;
    std::map<synapse_key, std::uint64_t> synapse_counts;
    std::map<synapse_key, double> synapse_weights;
    std::size_t num_inputs = 0;
    profile_neuron_type neuron_type = profile_neuron_type::channel;
};

namespace detail::profiles {

// Count-weighted mean of two weights, 0 where the weighted sum is 0 (as DDP, which never divides there).
inline double mean_weight(double w1, std::uint64_t c1, double w2, std::uint64_t c2) {
    const double num = w1 * static_cast<double>(c1) + w2 * static_cast<double>(c2);
    return num != 0.0 ? num / static_cast<double>(c1 + c2) : 0.0;
}

inline neuron_set merge(const neuron_set& a, const neuron_set& b) {
    neuron_set r;
    r.size = std::max(a.size, b.size);
    const bool wa = !a.weight.empty(), wb = !b.weight.empty();
    std::size_t i = 0, j = 0;
    while (i < a.index.size() || j < b.index.size()) {
        const bool take_a = j == b.index.size() || (i < a.index.size() && a.index[i] <= b.index[j]);
        const bool take_b = i == a.index.size() || (j < b.index.size() && b.index[j] <= a.index[i]);
        const std::uint64_t ca = take_a ? a.count[i] : 0, cb = take_b ? b.count[j] : 0;
        const double xa = take_a ? a.weight_at(i) : 0.0, xb = take_b ? b.weight_at(j) : 0.0;
        r.index.push_back(take_a ? a.index[i] : b.index[j]);
        r.count.push_back(ca + cb);
        // Weights of one side only are kept as they are (DDP copies them when the other side has none).
        if (wa && wb) r.weight.push_back(mean_weight(xa, ca, xb, cb));
        else if (wa) r.weight.push_back(xa);
        else if (wb) r.weight.push_back(xb);
        i += take_a;
        j += take_b;
    }
    return r;
}

inline synapse_set merge(const synapse_set& a, const synapse_set& b) {
    synapse_set r;
    r.from = a.from;
    std::size_t i = 0, j = 0;
    const auto key = [](const synapse_set& s, std::size_t k) { return std::pair(s.out[k], s.in[k]); };
    while (i < a.size() || j < b.size()) {
        const bool take_a = j == b.size() || (i < a.size() && key(a, i) <= key(b, j));
        const bool take_b = i == a.size() || (j < b.size() && key(b, j) <= key(a, i));
        const std::uint64_t ca = take_a ? a.count[i] : 0, cb = take_b ? b.count[j] : 0;
        const double xa = take_a ? a.weight[i] : 0.0, xb = take_b ? b.weight[j] : 0.0;
        r.out.push_back(take_a ? a.out[i] : b.out[j]);
        r.in.push_back(take_a ? a.in[i] : b.in[j]);
        r.count.push_back(ca + cb);
        r.weight.push_back(mean_weight(xa, ca, xb, cb));
        i += take_a;
        j += take_b;
    }
    return r;
}

inline void merge_into(layer_profile& a, const layer_profile& b, bool mixed) {
    if (a.kind != b.kind || a.shape != b.shape || a.predecessors != b.predecessors)
        throw shape_error("profile addition: layer " + std::to_string(a.index) + " is '" + a.name + "' (" + a.kind +
                          ", shape " + to_string(a.shape) + ") in one profile and '" + b.name + "' (" + b.kind +
                          ", shape " + to_string(b.shape) + ") in the other; profiles of one model add");
    if (a.neurons.size != b.neurons.size && !mixed)
        throw shape_error("profile addition: layer " + std::to_string(a.index) + " has " +
                          std::to_string(a.neurons.size) + " neurons in one profile and " +
                          std::to_string(b.neurons.size) + " in the other");
    a.neurons = merge(a.neurons, b.neurons);
    if (!b.profiled) return;
    if (!a.profiled) {
        a.profiled = true;
        a.synapses = b.synapses;
        return;
    }
    for (const synapse_set& s : b.synapses) {
        auto it = std::find_if(a.synapses.begin(), a.synapses.end(), [&](const synapse_set& t) { return t.from == s.from; });
        if (it == a.synapses.end()) a.synapses.push_back(s);
        else *it = merge(*it, s);
    }
    std::sort(a.synapses.begin(), a.synapses.end(), [](const auto& x, const auto& y) { return x.from < y.from; });
}

// The index tuple of flat neuron n of a layer: (c, i, j) for an element of a (C, H, W) layer, else (n,).
inline std::vector<std::size_t> index_tuple(std::size_t n, const shape_t& shape, profile_neuron_type type) {
    if (type == profile_neuron_type::element && shape.size() == 3) {
        const std::size_t hw = shape[1] * shape[2];
        return {n / hw, n % hw / shape[2], n % shape[2]};
    }
    return {n};
}

}  // namespace detail::profiles

struct profile {
    profile_neuron_type neuron_type = profile_neuron_type::channel;
    double threshold = 0.1;
    std::size_t num_inputs = 0;        // 0: the empty profile, the identity of addition
    std::vector<layer_profile> layers;  // ascending index

    // Sum of all neuron counts.
    std::uint64_t total() const {
        std::uint64_t t = 0;
        for (const auto& l : layers) t += l.neurons.total();
        return t;
    }
    // Number of neurons with a nonzero count.
    std::size_t size() const {
        std::size_t n = 0;
        for (const auto& l : layers) n += l.neurons.nonzeros();
        return n;
    }
    // Number of synapses with a nonzero count.
    std::size_t num_synapses() const {
        std::size_t n = 0;
        for (const auto& l : layers) n += l.num_synapses();
        return n;
    }

    const layer_profile* find(std::size_t index) const {
        auto it = std::lower_bound(layers.begin(), layers.end(), index,
                                   [](const layer_profile& l, std::size_t i) { return l.index < i; });
        return it != layers.end() && it->index == index ? &*it : nullptr;
    }

    // Class profile: counts add, weights become (w1*c1 + w2*c2) / (c1 + c2), num_inputs adds; layers are
    // matched by index (a layer in one profile only is taken as it is). Adding profiles of different
    // policies gives `mixed`. An empty profile (num_inputs 0) is the identity. Profiles of different
    // thresholds do not add (value_error); layers of one index must agree on kind, shape and predecessors
    // (shape_error). The weights' means round, so (a + b) + c and a + (b + c) may differ in the last bits:
    // to sum many inputs' profiles in any order or on many processes and get one result, use
    // class_profile_sum (profile/class_profile.hpp), which fixes the addition tree.
    profile& operator+=(const profile& other) {
        if (other.num_inputs == 0) return *this;
        if (num_inputs == 0) return *this = other;
        if (threshold != other.threshold)
            throw value_error("profile addition: thresholds " + number_text(threshold) + " and " +
                              number_text(other.threshold) + " differ; a class profile needs one threshold");
        const bool mixed = neuron_type != other.neuron_type;
        std::vector<layer_profile> merged;
        merged.reserve(std::max(layers.size(), other.layers.size()));
        std::size_t i = 0, j = 0;
        while (i < layers.size() || j < other.layers.size()) {
            if (j == other.layers.size() || (i < layers.size() && layers[i].index < other.layers[j].index)) {
                merged.push_back(std::move(layers[i++]));
            } else if (i == layers.size() || other.layers[j].index < layers[i].index) {
                merged.push_back(other.layers[j++]);
            } else {
                detail::profiles::merge_into(layers[i], other.layers[j++], mixed);
                merged.push_back(std::move(layers[i++]));
            }
        }
        layers = std::move(merged);
        num_inputs += other.num_inputs;
        if (mixed) neuron_type = profile_neuron_type::mixed;
        return *this;
    }
    friend profile operator+(profile a, const profile& b) {
        a += b;
        return a;
    }

    // Neurons keyed by (layer, index tuple), synapses by ((layer_in, idx_in), (layer_out, idx_out)).
    profile_dict dict_view() const {
        profile_dict d;
        d.num_inputs = num_inputs;
        d.neuron_type = neuron_type;
        for (const auto& l : layers) {
            for (std::size_t k = 0; k < l.neurons.index.size(); ++k) {
                if (l.neurons.count[k] == 0) continue;
                neuron_key key{l.index, detail::profiles::index_tuple(l.neurons.index[k], l.shape, neuron_type)};
                if (l.neurons.weight_at(k) != 0.0) d.neuron_weights.emplace(key, l.neurons.weight_at(k));
                d.neuron_counts.emplace(std::move(key), l.neurons.count[k]);
            }
            for (const auto& s : l.synapses) {
                const layer_profile* from = find(s.from);
                // A predecessor outside the profile still has its shape in no layer here: index tuples of
                // its neurons fall back to flat indices.
                const shape_t from_shape = from ? from->shape : shape_t{};
                for (std::size_t k = 0; k < s.size(); ++k) {
                    if (s.count[k] == 0) continue;
                    synapse_key key{{s.from, detail::profiles::index_tuple(s.in[k], from_shape, neuron_type)},
                                    {l.index, detail::profiles::index_tuple(s.out[k], l.shape, neuron_type)}};
                    d.synapse_weights.emplace(key, s.weight[k]);
                    d.synapse_counts.emplace(std::move(key), s.count[k]);
                }
            }
        }
        return d;
    }

    bool operator==(const profile&) const = default;
};

}  // namespace xddp
