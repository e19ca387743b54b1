#pragma once
// Whether two profiles can be compared at all (jaccard.hpp): both hold inputs, both have the same neuron
// type, and every layer index they share names the same layer (kind, shape, predecessors). Profiles of
// different models, or of channel and element neurons, give similarities that mean nothing (0, or 0.1 by
// accident); require_comparable refuses them naming the first differing layer.

#include <algorithm>
#include <cstddef>
#include <string>

#include "xddp/core/error.hpp"
#include "xddp/profile/profile.hpp"

namespace xddp {

// `name_a` and `name_b` say which profile is which in messages (file names, for a program).
inline void require_comparable(const profile& a, const profile& b, const std::string& name_a = "the first profile",
                               const std::string& name_b = "the second profile") {
    for (const auto& [p, name] : {std::pair{&a, &name_a}, std::pair{&b, &name_b}})
        if (p->num_inputs == 0 || p->layers.empty())
            throw value_error(*name + " is an empty profile (" + std::to_string(p->num_inputs) + " inputs, " +
                              std::to_string(p->layers.size()) + " layers); there is nothing to compare");
    if (a.neuron_type != b.neuron_type)
        throw value_error(name_a + " has " + std::string(to_string(a.neuron_type)) + " neurons, " + name_b + " " +
                          std::string(to_string(b.neuron_type)) +
                          " neurons; profiles of different neuron types cannot be compared");
    std::size_t shared = 0;
    for (const layer_profile& la : a.layers) {
        const layer_profile* lb = b.find(la.index);
        if (!lb) continue;
        ++shared;
        if (la.kind != lb->kind || la.shape != lb->shape || la.predecessors != lb->predecessors) {
            auto describe = [](const layer_profile& l) {
                return "'" + excerpt(l.name) + "' (" + excerpt(l.kind) + ", shape " + to_string(l.shape) + ")";
            };
            throw value_error("layer " + std::to_string(la.index) + " is " + describe(la) + " in " + name_a + " but " +
                              describe(*lb) + " in " + name_b +
                              "; profiles of different models cannot be compared");
        }
    }
    if (shared == 0)
        throw value_error(name_a + " and " + name_b + " have no layer in common; there is nothing to compare");
}

}  // namespace xddp
