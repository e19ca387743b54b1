#pragma once
// Contribution rule of gate (specs/ddp.md section 9): the feature map carries all of an influential
// neuron, synapse (n, n) with weight 1 to input 0 (channel c, or element (c, i, j)); the gate, input 1,
// receives none (its own layers still get their influential neurons, step 1).

#include <cstddef>

#include "xddp/layers/gate.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp {

template <>
struct contribution_rule<gate> {
    template <neuron_policy P>
    static void apply(const gate&, const contribution_step& step) {
        for (const std::size_t n : step.neurons) step.synapses[0].push_back({n, n, 1.0});
    }
};

}  // namespace xddp
