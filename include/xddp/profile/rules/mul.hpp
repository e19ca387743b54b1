#pragma once
// Contribution rule of mul (specs/ddp.md section 9): the residual add's (rules/larger_input.hpp), an
// influential neuron credited wholly to the input with the larger value, ties to the later predecessor.

#include "xddp/layers/mul.hpp"
#include "xddp/profile/rules/larger_input.hpp"

namespace xddp {

template <>
struct contribution_rule<mul> {
    template <neuron_policy P>
    static void apply(const mul&, const contribution_step& step) {
        detail::rules::credit_larger_input<P>("mul", step);
    }
};

}  // namespace xddp
