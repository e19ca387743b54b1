#pragma once
// Similarity of profiles (specs/ddp.md section 7), as DeepDataProfiler's algorithms/jaccard.py defines it
// on sparse count matrices: jaccard_simple(A, B) = nnz(A o B) / nnz(A + B). Neuron sets are a layer's
// neuron counts; synapse sets a layer's synapse counts from all its predecessors together (DDP's one
// block-diagonal matrix per layer). Only layers that were profiled have synapse sets (layer 0 never).
//  - jaccard(p1, p2): jaccard_simple over all layers of either profile, a missing layer counting as empty;
//  - avg_jaccard(p1, p2): the mean over p1's layers of the per-layer jaccard_simple, 0 for a layer p2 lacks;
//  - instance_jaccard(p1, p2): sum over p1's layers of nnz(p1_L o p2_L) / size(p1) (or num_synapses(p1)).
// As in DDP, all of them are 0 when either profile is empty (num_inputs 0). An empty union (or an empty p1
// for instance_jaccard) is a value_error naming what was empty, never a division by zero.

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/profile/layer_selection.hpp"
#include "xddp/profile/profile.hpp"

namespace xddp {

enum class profile_part { neurons, synapses };

// nnz of the element-wise product and of the sum of two sparse sets.
struct overlap {
    std::size_t intersection = 0;
    std::size_t union_size = 0;
    overlap& operator+=(const overlap& o) {
        intersection += o.intersection;
        union_size += o.union_size;
        return *this;
    }
};

namespace detail::profiles {

// Merges two ascending key sequences; a key counts where its count is nonzero.
template <class KeyA, class KeyB>
overlap merge_overlap(std::size_t na, KeyA key_a, const std::vector<std::uint64_t>& ca, std::size_t nb, KeyB key_b,
                      const std::vector<std::uint64_t>& cb) {
    overlap r;
    std::size_t i = 0, j = 0;
    while (i < na || j < nb) {
        const bool take_a = j == nb || (i < na && key_a(i) <= key_b(j));
        const bool take_b = i == na || (j < nb && key_b(j) <= key_a(i));
        const std::uint64_t a = take_a ? ca[i] : 0, b = take_b ? cb[j] : 0;
        r.intersection += a != 0 && b != 0;
        r.union_size += a + b != 0;
        i += take_a;
        j += take_b;
    }
    return r;
}

inline const neuron_set& empty_neurons() {
    static const neuron_set e;
    return e;
}

inline const layer_profile* synapse_layer(const profile& p, std::size_t index) {
    const layer_profile* l = p.find(index);
    return l && l->profiled ? l : nullptr;
}

inline std::vector<std::size_t> layer_union(const profile& a, const profile& b, profile_part part) {
    std::vector<std::size_t> out;
    for (const profile* p : {&a, &b})
        for (const auto& l : p->layers)
            if (part == profile_part::neurons || l.profiled) out.push_back(l.index);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

inline double ratio(const overlap& o, const std::string& what) {
    if (o.union_size == 0) throw value_error("jaccard: " + what + " are empty in both profiles; the similarity of two empty sets is undefined");
    return static_cast<double>(o.intersection) / static_cast<double>(o.union_size);
}

}  // namespace detail::profiles

inline overlap neuron_overlap(const neuron_set& a, const neuron_set& b) {
    return detail::profiles::merge_overlap(
        a.index.size(), [&](std::size_t k) { return a.index[k]; }, a.count, b.index.size(),
        [&](std::size_t k) { return b.index[k]; }, b.count);
}

inline overlap synapse_overlap(const synapse_set& a, const synapse_set& b) {
    return detail::profiles::merge_overlap(
        a.size(), [&](std::size_t k) { return std::pair(a.out[k], a.in[k]); }, a.count, b.size(),
        [&](std::size_t k) { return std::pair(b.out[k], b.in[k]); }, b.count);
}

// Synapses of two layers, all predecessors together; a layer pointer may be null (no synapses).
inline overlap synapse_overlap(const layer_profile* a, const layer_profile* b) {
    overlap r;
    static const synapse_set none;
    std::vector<std::size_t> froms;
    for (const layer_profile* l : {a, b})
        if (l)
            for (const auto& s : l->synapses) froms.push_back(s.from);
    std::sort(froms.begin(), froms.end());
    froms.erase(std::unique(froms.begin(), froms.end()), froms.end());
    for (std::size_t f : froms) {
        const synapse_set* sa = a ? a->synapses_from(f) : nullptr;
        const synapse_set* sb = b ? b->synapses_from(f) : nullptr;
        r += synapse_overlap(sa ? *sa : none, sb ? *sb : none);
    }
    return r;
}

// jaccard_simple of two sparse sets.
inline double jaccard_simple(const neuron_set& a, const neuron_set& b) {
    return detail::profiles::ratio(neuron_overlap(a, b), "the neuron sets");
}
inline double jaccard_simple(const synapse_set& a, const synapse_set& b) {
    return detail::profiles::ratio(synapse_overlap(a, b), "the synapse sets");
}

// jaccard_simple of one layer of two profiles (neurons or synapses); a layer missing counts as empty.
inline double layer_jaccard(const profile& p1, const profile& p2, std::size_t layer, profile_part part = profile_part::neurons) {
    const std::string what = (part == profile_part::neurons ? "the neurons of layer " : "the synapses of layer ") +
                             std::to_string(layer);
    if (part == profile_part::neurons) {
        const layer_profile* a = p1.find(layer);
        const layer_profile* b = p2.find(layer);
        return detail::profiles::ratio(neuron_overlap(a ? a->neurons : detail::profiles::empty_neurons(), b ? b->neurons : detail::profiles::empty_neurons()), what);
    }
    return detail::profiles::ratio(synapse_overlap(detail::profiles::synapse_layer(p1, layer), detail::profiles::synapse_layer(p2, layer)), what);
}

// Over all layers of either profile (or the selected ones), one jaccard_simple of the whole.
inline double jaccard(const profile& p1, const profile& p2, profile_part part = profile_part::neurons,
                      const layer_selection& layers = {}) {
    if (p1.num_inputs == 0 || p2.num_inputs == 0) return 0.0;
    const std::vector<std::size_t> all = layers.is_all() ? detail::profiles::layer_union(p1, p2, part) : layers.indices();
    overlap total;
    for (std::size_t l : all) {
        if (part == profile_part::neurons) {
            const layer_profile* a = p1.find(l);
            const layer_profile* b = p2.find(l);
            total += neuron_overlap(a ? a->neurons : detail::profiles::empty_neurons(), b ? b->neurons : detail::profiles::empty_neurons());
        } else {
            total += synapse_overlap(detail::profiles::synapse_layer(p1, l), detail::profiles::synapse_layer(p2, l));
        }
    }
    return detail::profiles::ratio(total, part == profile_part::neurons ? "the neurons" : "the synapses");
}

// The per-layer jaccard_simple values avg_jaccard averages: p1's layers (for synapses, its profiled
// layers) or the selected ones, 0 where p2 lacks the layer.
inline std::vector<std::pair<std::size_t, double>> layer_jaccards(const profile& p1, const profile& p2,
                                                                  profile_part part = profile_part::neurons,
                                                                  const layer_selection& layers = {}) {
    std::vector<std::size_t> which;
    if (!layers.is_all()) which = layers.indices();
    else
        for (const auto& l : p1.layers)
            if (part == profile_part::neurons || l.profiled) which.push_back(l.index);
    std::vector<std::pair<std::size_t, double>> out;
    for (std::size_t l : which) {
        const bool in_p2 = part == profile_part::neurons ? p2.find(l) != nullptr : detail::profiles::synapse_layer(p2, l) != nullptr;
        out.emplace_back(l, in_p2 ? layer_jaccard(p1, p2, l, part) : 0.0);
    }
    return out;
}

// Mean of the per-layer jaccard_simple over p1's layers (or the selected ones).
inline double avg_jaccard(const profile& p1, const profile& p2, profile_part part = profile_part::neurons,
                          const layer_selection& layers = {}) {
    if (p1.num_inputs == 0 || p2.num_inputs == 0) return 0.0;
    const auto per_layer = layer_jaccards(p1, p2, part, layers);
    if (per_layer.empty()) throw value_error("avg_jaccard: the first profile has no layers to compare");
    double sum = 0.0;
    for (const auto& [l, v] : per_layer) sum += v;
    return sum / static_cast<double>(per_layer.size());
}

// The share of p1's neurons (or synapses) that p2 holds too.
inline double instance_jaccard(const profile& p1, const profile& p2, profile_part part = profile_part::neurons) {
    if (p1.num_inputs == 0 || p2.num_inputs == 0) return 0.0;
    std::size_t shared = 0;
    for (const auto& l : p1.layers) {
        if (part == profile_part::neurons) {
            if (const layer_profile* b = p2.find(l.index)) shared += neuron_overlap(l.neurons, b->neurons).intersection;
        } else if (l.profiled) {
            if (const layer_profile* b = detail::profiles::synapse_layer(p2, l.index)) shared += synapse_overlap(&l, b).intersection;
        }
    }
    const std::size_t own = part == profile_part::neurons ? p1.size() : p1.num_synapses();
    if (own == 0)
        throw value_error(std::string("instance_jaccard: the first profile has no ") +
                          (part == profile_part::neurons ? "neurons" : "synapses"));
    return static_cast<double>(shared) / static_cast<double>(own);
}

}  // namespace xddp
