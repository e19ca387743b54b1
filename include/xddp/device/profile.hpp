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
#include "xddp/device/sort.hpp"
#include "xddp/kernels/device/contributions.hpp"
#include "xddp/kernels/device/influence.hpp"
#include "xddp/kernels/device/selection.hpp"
#include "xddp/kernels/device/sort.hpp"
#include "xddp/profile/backtrace.hpp"

namespace xddp {

namespace detail::device {

// The accepted entries of every segment after a selection kernel: (segment, position, weight), zero weights
// dropped, in sorted order within a segment.
struct accepted_entry {
    std::size_t segment;
    std::uint32_t position;
    float weight;
};

template <class P>
struct selection_buffers {
    typename P::template buffer<std::uint32_t> order, accepted;
    typename P::template buffer<float> weights;

    selection_buffers(std::size_t segments, std::size_t padded)
        : order(P::template allocate<std::uint32_t>(segments * padded)),
          accepted(P::template allocate<std::uint32_t>(segments)),
          weights(P::template allocate<float>(segments * padded)) {}

    kernels::device::selection_segments segments(const float* values, std::size_t stride, std::size_t padded,
                                                 std::size_t n, const std::uint32_t* lengths) {
        return {values, order.data(), stride, padded, n, lengths, accepted.data(), weights.data()};
    }

    // Downloads what the selection accepted: three copies in all (counts, sorted positions, weights), not
    // one per segment, since each copy to the host waits for the stream.
    std::vector<accepted_entry> download(std::size_t segments, std::size_t padded) const {
        std::vector<std::uint32_t> count(segments), pos(segments * padded);
        std::vector<float> w(segments * padded);
        P::download(accepted.data(), segments, count.data());
        P::download(order.data(), pos.size(), pos.data());
        P::download(weights.data(), w.size(), w.data());
        std::vector<accepted_entry> out;
        for (std::size_t s = 0; s < segments; ++s)
            for (std::size_t k = 0; k < count[s]; ++k)
                if (w[s * padded + k] != 0.0f) out.push_back({s, pos[s * padded + k], w[s * padded + k]});
        return out;
    }
};

template <class P>
typename P::template buffer<std::uint32_t> upload_indices(std::span<const std::size_t> indices) {
    std::vector<std::uint32_t> v(indices.begin(), indices.end());
    auto b = P::template allocate<std::uint32_t>(v.size());
    P::upload(v.data(), v.size(), b.data());
    return b;
}

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

// The layer of a profile layer's first node as the built-in type L (device rules exist for those only).
template <class L>
const L& concrete(const graph& g, const layer_group& pl) {
    const L* l = g[pl.nodes[0]].layer->template get_if<L>();
    if (!l)
        throw unsupported_error("node '" + g[pl.nodes[0]].name + "' is a user-defined layer of kind " + pl.kind +
                                "; device contribution rules exist for xddp's own layer classes only");
    return *l;
}

// Step 2 on the device for one layer; lists[b] receives the synapses to predecessor b.
template <neuron_policy N, class P>
void contributions(const graph& g, const layer_group& pl, std::span<const float* const> inputs,
                   std::span<const shape_t> input_shapes, const float* head, std::span<const std::size_t> neurons,
                   float threshold, std::vector<synapse_list>& lists) {
    namespace k = kernels::device;
    if (neurons.empty()) return;
    const std::size_t count = neurons.size();
    const auto ids = upload_indices<P>(neurons);
    const float* x = inputs[0];
    const shape_t& in = input_shapes[0];
    auto download_u32 = [](const auto& b, std::size_t n) {
        std::vector<std::uint32_t> v(n);
        P::download(b.data(), n, v.data());
        return v;
    };
    auto download_f32 = [](const auto& b, std::size_t n) {
        std::vector<float> v(n);
        P::download(b.data(), n, v.data());
        return v;
    };
    auto check_planar = [&](const char* kind) {
        if (in.size() != 3 || pl.shape.size() != 3)
            throw shape_error(std::string(kind) + " contributions: input " + to_string(in) + " and output " +
                              to_string(pl.shape) + " do not fit the layer");
    };
    const std::string_view kind = g[pl.nodes[0]].layer->kind();
        if (kind == "conv2d") {
            const conv2d& layer = concrete<conv2d>(g, pl);
            detail::rules::check_conv_shapes(layer, in, pl.shape);
            const conv2d_options& o = layer.options();
            const std::size_t cg = o.in_channels / o.groups, og = o.out_channels / o.groups;
            const std::size_t h = in[1], w = in[2], ho = pl.shape[1], wo = pl.shape[2];
            const k::window win = device_window(layer.window());
            auto weight = P::template allocate<float>(layer.weight().size());
            P::upload(layer.weight().data(), layer.weight().size(), weight.data());
            if constexpr (std::same_as<N, channel_neurons>) {
                const std::size_t padded = k::next_power_of_two(cg);
                auto maxima = P::template allocate<float>(count * cg);
                P::launch(count * cg, k::conv_channel_maxima_body{x, weight.data(), ids.data(), maxima.data(), cg, og, h, w, ho, wo, win});
                selection_buffers<P> sel(count, padded);
                sort_segments<P>(sel.order.data(), count, padded, k::descending_values{maxima.data(), cg, cg, nullptr});
                P::launch(count, k::select_cumulative_body{sel.segments(maxima.data(), cg, padded, cg, nullptr), threshold});
                for (const accepted_entry& e : sel.download(count, padded)) {
                    const std::size_t o_ = neurons[e.segment];
                    lists[0].push_back({o_, o_ / og * cg + e.position, e.weight});
                }
            } else {
                const std::size_t candidates = cg * win.kh * win.kw, padded = k::next_power_of_two(candidates);
                auto z = P::template allocate<float>(count * padded);
                auto where = P::template allocate<std::uint32_t>(count * padded);
                P::launch(count * candidates, k::conv_element_products_body{x, weight.data(), ids.data(), z.data(), where.data(),
                                                                            cg, og, h, w, ho, wo, padded, win});
                selection_buffers<P> sel(count, padded);
                sort_segments<P>(sel.order.data(), count, padded, k::descending_values{z.data(), padded, candidates, nullptr});
                P::launch(count, k::select_signed_body{sel.segments(z.data(), padded, padded, candidates, nullptr), threshold});
                const auto wh = download_u32(where, count * padded);
                for (const accepted_entry& e : sel.download(count, padded)) {
                    const std::uint32_t from = wh[e.segment * padded + e.position];
                    if (from != k::in_padding) lists[0].push_back({neurons[e.segment], from, e.weight});
                }
            }
            return;
        }
        if (kind == "linear") {
            const linear& layer = concrete<linear>(g, pl);
            const linear_options& o = layer.options();
            const std::size_t k_in = element_count(in);
            if (k_in != o.in_features)
                throw shape_error("linear contributions: input " + to_string(in) + " has " + std::to_string(k_in) +
                                  " elements, expected " + std::to_string(o.in_features));
            auto weight = P::template allocate<float>(layer.weight().size());
            P::upload(layer.weight().data(), layer.weight().size(), weight.data());
            auto bias = P::template allocate<float>(o.bias ? o.out_features : 0);
            if (o.bias) P::upload(layer.bias().data(), o.out_features, bias.data());
            const std::size_t padded = k::next_power_of_two(k_in);
            auto z = P::template allocate<float>(count * padded);
            auto y_sel = P::template allocate<float>(count);
            auto b_sel = P::template allocate<float>(count);
            P::launch(count * k_in, k::linear_products_body{x, weight.data(), o.bias ? bias.data() : nullptr, head, ids.data(),
                                                            z.data(), y_sel.data(), b_sel.data(), k_in, padded});
            selection_buffers<P> sel(count, padded);
            sort_segments<P>(sel.order.data(), count, padded, k::descending_values{z.data(), padded, k_in, nullptr});
            P::launch(count, k::select_biased_body{sel.segments(z.data(), padded, padded, k_in, nullptr), threshold, y_sel.data(),
                                                   b_sel.data()});
            const bool by_channel = std::same_as<N, channel_neurons> && planar(in);
            const std::size_t plane = by_channel ? in[1] * in[2] : 1;
            const auto accepted = sel.download(count, padded);
            if (!by_channel) {
                for (const accepted_entry& e : accepted) lists[0].push_back({neurons[e.segment], e.position, e.weight});
                return;
            }
            // Per neuron, the weights of one channel summed in sorted order (as the host rule), in channel order.
            std::vector<double> sums(in[0], 0.0);
            for (std::size_t a = 0; a < accepted.size();) {
                std::size_t b = a;
                for (; b < accepted.size() && accepted[b].segment == accepted[a].segment; ++b)
                    sums[accepted[b].position / plane] += accepted[b].weight;
                for (std::size_t c = 0; c < sums.size(); ++c)
                    if (sums[c] != 0.0) {
                        lists[0].push_back({neurons[accepted[a].segment], c, sums[c]});
                        sums[c] = 0.0;
                    }
                a = b;
            }
            return;
        }
        if (kind == "max_pool2d") {
            const max_pool2d& layer = concrete<max_pool2d>(g, pl);
            check_planar("max_pool2d");
            detail::rules::check_pool_shapes("max_pool2d", in, pl.shape, layer.window().output(in[1], 0), layer.window().output(in[2], 1));
            if constexpr (std::same_as<N, channel_neurons>) {
                detail::rules::identity_contributions(neurons, lists[0]);
            } else {
                auto best = P::template allocate<float>(count);
                auto where = P::template allocate<std::uint32_t>(count);
                P::launch(count, k::max_pool_argmax_body{x, ids.data(), best.data(), where.data(), in[1], in[2], pl.shape[1],
                                                         pl.shape[2], device_window(layer.window())});
                const auto b = download_f32(best, count);
                const auto wh = download_u32(where, count);
                for (std::size_t i = 0; i < count; ++i)
                    if (wh[i] != k::in_padding) lists[0].push_back({neurons[i], wh[i], b[i]});
            }
            return;
        }
        if (kind == "avg_pool2d" || kind == "adaptive_avg_pool2d") {
            const bool adaptive = g[pl.nodes[0]].layer->kind() == "adaptive_avg_pool2d";
            check_planar(adaptive ? "adaptive_avg_pool2d" : "avg_pool2d");
            const std::size_t h = in[1], w = in[2], ho = pl.shape[1], wo = pl.shape[2];
            k::window_values_body body{};
            std::size_t largest = 0;
            if (adaptive) {
                const auto& layer = concrete<adaptive_avg_pool2d>(g, pl);
                detail::rules::check_pool_shapes("adaptive_avg_pool2d", in, pl.shape, layer.output_size()[0], layer.output_size()[1]);
                std::size_t rows = 0, cols = 0;
                for (std::size_t i = 0; i < ho; ++i) rows = std::max(rows, k::adaptive_end(i, h, ho) - k::adaptive_begin(i, h, ho));
                for (std::size_t j = 0; j < wo; ++j) cols = std::max(cols, k::adaptive_end(j, w, wo) - k::adaptive_begin(j, w, wo));
                largest = rows * cols;
                body.adaptive = true;
            } else {
                const auto& layer = concrete<avg_pool2d>(g, pl);
                const window2d& win = layer.window();
                detail::rules::check_pool_shapes("avg_pool2d", in, pl.shape, win.output(h, 0), win.output(w, 1));
                largest = win.kernel[0] * win.kernel[1];
                body.adaptive = false;
                body.kh = win.kernel[0];
                body.kw = win.kernel[1];
                body.sh = win.stride[0];
                body.sw = win.stride[1];
                body.ph = win.pad_begin[0];
                body.pw = win.pad_begin[1];
                body.pad_end_h = win.pad_end[0];
                body.pad_end_w = win.pad_end[1];
                body.count_include_pad = layer.options().count_include_pad;
            }
            if constexpr (std::same_as<N, channel_neurons>) {
                detail::rules::identity_contributions(neurons, lists[0]);
            } else {
                const std::size_t padded = k::next_power_of_two(largest);
                auto values = P::template allocate<float>(count * padded);
                auto where = P::template allocate<std::uint32_t>(count * padded);
                auto lengths = P::template allocate<std::uint32_t>(count);
                body.x = x;
                body.neurons = ids.data();
                body.values = values.data();
                body.where = where.data();
                body.lengths = lengths.data();
                body.h = h;
                body.w = w;
                body.ho = ho;
                body.wo = wo;
                body.padded = padded;
                P::launch(count * padded, body);
                selection_buffers<P> sel(count, padded);
                sort_segments<P>(sel.order.data(), count, padded, k::descending_values{values.data(), padded, 0, lengths.data()});
                P::launch(count, k::select_cumulative_body{sel.segments(values.data(), padded, padded, 0, lengths.data()), threshold});
                const auto wh = download_u32(where, count * padded);
                for (const accepted_entry& e : sel.download(count, padded))
                    lists[0].push_back({neurons[e.segment], wh[e.segment * padded + e.position], e.weight});
            }
            return;
        }
        if (kind == "add") {
            if (input_shapes.size() != 2)
                throw unsupported_error("a residual add of a layer's output with itself has no contribution rule; "
                                        "it needs two distinct predecessor layers");
            if (input_shapes[0] != input_shapes[1])
                throw shape_error("add contributions: input shapes " + to_string(input_shapes[0]) + " and " +
                                  to_string(input_shapes[1]) + " differ");
            const bool by_channel = std::same_as<N, channel_neurons> && planar(in);
            auto choice = P::template allocate<std::uint8_t>(count);
            P::launch(count, k::add_choice_body{inputs[0], inputs[1], ids.data(), by_channel ? in[1] * in[2] : 1, choice.data()});
            std::vector<std::uint8_t> c(count);
            P::download(choice.data(), count, c.data());
            for (std::size_t i = 0; i < count; ++i) lists[c[i]].push_back({neurons[i], neurons[i], 1.0});
            return;
        }
        throw unsupported_error("a " + std::string(kind) + " layer has no device contribution rule under " +
                                std::string(P::name) + "; "
                                "the device policies profile xddp's own layer classes (conv2d, linear, pools, add)");
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
    if constexpr (std::same_as<P, host>) {
        return contribution_profile<N>(g, x, opt);
    } else {
        require_kernel_policy<P>();
        if constexpr (kernel_policy<P>) {
            if (x.dimension() == g.input_shape().size() + 1 && x.shape()[0] != 1)
                throw shape_error("contribution_profile: x holds a batch of " + std::to_string(x.shape()[0]) +
                                  " inputs; profile one input here, or pass the batch's activations and a sample index");
            const auto layers = layer_groups(g);
            const device_model<P> m(g);
            const device_activations<P> acts = m.forward(x, keep::all);
            return contribution_profile<N, P>(g, layers, acts, 0, opt);
        } else {
            return {};
        }
    }
}

}  // namespace xddp
