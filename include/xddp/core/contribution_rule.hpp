#pragma once
// The contribution rule of a layer type: step 2 of a contribution profile (specs/ddp.md section 4), the
// smallest set of neurons of the layer's inputs that supplies `threshold` of each influential neuron. One
// customization point with one signature, specialised next to the layer type (as std::hash is):
//
//   template <> struct xddp::contribution_rule<my_layer> {
//       template <xddp::neuron_policy P>
//       static void apply(const my_layer& layer, const xddp::contribution_step& step);
//   };
//
// apply appends, for each influential neuron n of step.neurons, its synapses (n, contributor, weight) to
// step.synapses[i], the list of the layer's input i. A layer type without a specialization can still run
// everywhere else; a profile of a model that needs its rule stops with an unsupported_error naming it.
//
// The specialization must be visible wherever the layer is put into a graph (any_layer captures it there):
// declare it in the layer's own header, or in a header that the layer's header includes.

#include <cstddef>
#include <span>
#include <vector>

#include "xddp/core/neuron_policy.hpp"
#include "xddp/core/tensor_ref.hpp"

namespace xddp {

// One synapse: neuron `out` of the layer, neuron `in` of one of its inputs, both flat indices under the
// neuron policy (FORMATS.md), and the share of out's value that `in` supplies.
struct synapse {
    std::size_t out;
    std::size_t in;
    double weight;
};
using synapse_list = std::vector<synapse>;

// Buffers a rule may reuse from layer to layer within one backtrace (profile/rule_scratch.hpp); one per thread.
struct rule_scratch;

// What a rule sees of one profile layer for one input sample. Shapes have no batch axis.
struct contribution_step {
    std::span<const tensor_ref> inputs;       // the tails of the layer's inputs, in the node's input order
    std::span<const std::size_t> input_layers;  // the profile layer index of each input (an add gives ties to the later one)
    tensor_ref head;                          // the layer's head: its first node's output (of an add: its tail)
    tensor_ref tail;                          // the layer's tail: what it hands on (the same shape as head)
    std::span<const std::size_t> neurons;     // its influential neurons, ascending
    double threshold;                         // in (0, 1]
    std::span<synapse_list> synapses;         // one list per input, appended to
    rule_scratch& scratch;
};

// No rule unless specialised (an empty primary template, so that asking whether a type has one is no error).
template <class L>
struct contribution_rule {};

// True where contribution_rule<L> has an apply for policy P.
template <class L, class P>
concept has_contribution_rule_for = requires(const L& layer, const contribution_step& step) {
    contribution_rule<L>::template apply<P>(layer, step);
};

// True where L has a rule for both neuron policies.
template <class L>
concept has_contribution_rule =
    has_contribution_rule_for<L, channel_neurons> && has_contribution_rule_for<L, element_neurons>;

}  // namespace xddp
