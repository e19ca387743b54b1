#pragma once
// Contribution profiles under a kernel policy (xddp::cuda, xddp::cuda_emulated): the same profile as
// profile/backtrace.hpp, with the per-neuron work in kernel launches on activations that never leave the
// policy's memory. Per profiled layer:
//   1. influence: channel_scores_body / element_scores_body (one thread per neuron), a bitonic sort of the
//      scores (one launch per step, one thread per entry), select_cumulative_body (one thread);
//   2. contributions: one thread per (influential neuron, candidate) writes the neuron's candidate values
//      into its own segment, a segmented bitonic sort orders every segment at once, and one thread per
//      neuron runs the selection rule over its sorted segment (the max pool's arg-max and the residual
//      add's choice are one thread per neuron, no selection);
//   3. the host downloads only the accepted entries' positions and weights (a few per neuron), drops the
//      zero weights, merges a linear layer's contributors per channel, and assembles the profile exactly
//      as the host backtrace does (detail::profiles::assemble).
//
//   xddp::profile p = xddp::contribution_profile<xddp::channel_neurons, xddp::cuda>(g, x, opt);
//
// The call site differs from the host one (contribution_profile<xddp::channel_neurons>(g, x, opt)) only by
// the policy argument; xddp::host is accepted too and runs the host backtrace.

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "xddp/device/forward.hpp"
#include "xddp/device/selection.hpp"
#include "xddp/kernels/device/influence.hpp"
#include "xddp/profile/backtrace.hpp"

namespace xddp {

namespace detail::device {

// One sample's activation of a node in the policy's memory, checked for shape.
template <class P>
const float* sample_data(const graph& g, const device_activations<P>& acts, node_id id, std::size_t sample,
                         const shape_t& shape, const layer_group& owner) {
    const device_tensor<P>& a = acts.values.at(id);
    if (a.empty() || a.size() == 0)
        throw value_error("contribution_profile: " + profiles::describe(owner) + ": the activation of node '" + g[id].name +
                          "' was not kept; run the forward pass with keep::all");
    const std::size_t batch = a.shape[0];
    if (sample >= batch)
        throw value_error("contribution_profile: sample " + std::to_string(sample) + " is out of range, the batch holds " +
                          std::to_string(batch));
    const std::size_t per = a.size() / batch;
    if (per != element_count(shape))
        throw shape_error("contribution_profile: " + profiles::describe(owner) + ": node '" + g[id].name + "' holds " +
                          std::to_string(per) + " values per sample, expected shape " + to_string(shape));
    return a.data.data() + sample * per;
}

// Step 1 on the device: the influential neurons of one layer, sorted by index.
template <neuron_policy N, class P>
std::vector<weighted_neuron> influential(const float* head, const float* tail, const shape_t& shape, float threshold) {
    namespace k = kernels::device;
    const bool channels = planar(shape);
    const std::size_t count = channels ? shape[0] : element_count(shape);
    const std::size_t plane = channels ? shape[1] * shape[2] : 1;
    auto scores = P::template allocate<float>(count);
    auto arg = P::template allocate<std::uint32_t>(channels ? count : 0);
    if (channels) P::launch(count, k::channel_scores_body{head, tail, plane, scores.data(), arg.data()});
    else P::launch(count, k::element_scores_body{head, tail, scores.data()});
    const std::size_t padded = k::next_power_of_two(count);
    selection_buffers<P> sel(1, padded);
    sort_segments<P>(sel.order.data(), 1, padded, k::descending_values{scores.data(), 0, count, nullptr});
    P::launch(1, k::select_cumulative_body{sel.segments(scores.data(), 0, padded, count, nullptr), threshold});
    std::vector<std::uint32_t> where(channels ? count : 0);
    if (channels) P::download(arg.data(), count, where.data());
    std::vector<weighted_neuron> out;
    for (const accepted_entry& e : sel.download(1, padded)) {
        std::size_t index = e.position;
        if constexpr (std::same_as<N, element_neurons>)
            if (channels) index = e.position * plane + where[e.position];
        out.push_back({index, e.weight});
    }
    std::sort(out.begin(), out.end(), [](const weighted_neuron& a, const weighted_neuron& b) { return a.index < b.index; });
    return out;
}

// Step 2 on the device for one layer, through its type's device_layer rule; lists[b] receives the synapses
// to predecessor b.
template <neuron_policy N, class P>
void contributions(const graph& g, const layer_group& pl, std::span<const float* const> inputs,
                   std::span<const shape_t> input_shapes, const float* head, std::span<const std::size_t> neurons,
                   float threshold, std::vector<synapse_list>& lists) {
    if (neurons.empty()) return;
    const any_layer& l = *g[pl.nodes[0]].layer;
    const device_layer_ops<P>* ops = device_layers<P>::find(l);
    const auto* rule = !ops ? nullptr : std::same_as<N, channel_neurons> ? &ops->channel_rule : &ops->element_rule;
    if (!rule || !*rule)
        throw unsupported_error("a " + std::string(l.kind()) + " layer has no device contribution rule under " +
                                std::string(P::name) + "; give its device_layer a contributions<N, P> (device/layer_kernel.hpp) "
                                "or profile under xddp::host");
    const auto ids = upload_indices<P>(neurons);
    (*rule)(l, device_rule_call<P>{inputs, input_shapes, pl.shape, head, neurons, ids.data(), threshold, lists});
}

}  // namespace detail::device

// The profile of one sample of a batch whose activations a device_model<P> kept (keep::all).
template <neuron_policy N, class P>
    requires kernel_policy<P>
profile contribution_profile(const graph& g, std::span<const layer_group> layers, const device_activations<P>& acts,
                             std::size_t sample, const profile_options& opt) {
    require_kernel_policy<P>();
    const double thr = opt.threshold;
    const auto [chosen, ltp] = detail::profiles::layers_to_profile(g, layers, opt);
    if (acts.values.size() != g.size())
        throw value_error("contribution_profile: the activations hold " + std::to_string(acts.values.size()) +
                          " nodes, the graph has " + std::to_string(g.size()) +
                          "; expected the activations of this graph's device_model forward(x, keep::all)");
    const std::size_t n = layers.size();
    std::vector<std::vector<weighted_neuron>> influential(n);
    std::vector<std::vector<synapse_set>> blocks(n);
    std::vector<std::size_t> neurons;
    for (const std::size_t k : ltp) {
        const layer_group& pl = layers[k];
        const float* head = detail::device::sample_data(g, acts, pl.head, sample, pl.shape, pl);
        const float* tail = detail::device::sample_data(g, acts, pl.tail, sample, pl.shape, pl);
        influential[k] = detail::device::influential<N, P>(head, tail, pl.shape, static_cast<float>(thr));
        neurons.clear();
        for (const auto& w : influential[k]) neurons.push_back(w.index);
        std::vector<const float*> inputs;
        std::vector<shape_t> shapes;
        for (std::size_t p : pl.predecessors) {
            inputs.push_back(detail::device::sample_data(g, acts, layers[p].tail, sample, layers[p].shape, layers[p]));
            shapes.push_back(layers[p].shape);
        }
        std::vector<synapse_list> lists(pl.predecessors.size());
        try {
            detail::device::contributions<N, P>(g, pl, inputs, shapes, head, neurons, static_cast<float>(thr), lists);
        } catch (const shape_error& e) {
            throw shape_error("contribution_profile: " + detail::profiles::describe(pl) + ": " + e.what());
        } catch (const unsupported_error& e) {
            throw unsupported_error("contribution_profile: " + detail::profiles::describe(pl) + ": " + e.what());
        }
        for (std::size_t b = 0; b < lists.size(); ++b)
            blocks[k].push_back(detail::profiles::to_synapse_set(pl.predecessors[b], lists[b]));
    }
    return detail::profiles::assemble<N>(layers, chosen, ltp, influential, blocks, thr);
}

// The profile of a single input x (C, H, W) or (1, C, H, W) under tensor policy P: xddp::host runs the host
// backtrace; a kernel policy runs the forward pass and the backtrace kernels under P.
template <neuron_policy N, class P>
profile contribution_profile(const graph& g, const tensor_ref& x, const profile_options& opt) {
    return by_policy<P>([&] { return contribution_profile<N>(g, x, opt); },
                        [&]<class Q>() {
                            if (x.dimension() == g.input_shape().size() + 1 && x.shape()[0] != 1)
                                throw shape_error("contribution_profile: x holds a batch of " + std::to_string(x.shape()[0]) +
                                                  " inputs; profile one input here, or pass the batch's activations and a "
                                                  "sample index");
                            const auto layers = layer_groups(g);
                            const device_model<Q> m(g);
                            const device_activations<Q> acts = m.forward(x, keep::all);
                            return contribution_profile<N, Q>(g, layers, acts, 0, opt);
                        });
}

}  // namespace xddp
