#pragma once
// Contribution rule of the residual add (specs/ddp.md section 4): an influential neuron is credited wholly,
// with weight 1, to the input with the larger value (the larger channel maximum under channel_neurons, the
// larger element under element_neurons), ties to the later predecessor layer (rules/larger_input.hpp).

#include "xddp/layers/add.hpp"
#include "xddp/profile/rules/larger_input.hpp"

namespace xddp {

template <>
struct contribution_rule<add> {
    template <neuron_policy P>
    static void apply(const add&, const contribution_step& step) {
        detail::rules::credit_larger_input<P>("residual add", step);
    }
};

}  // namespace xddp
