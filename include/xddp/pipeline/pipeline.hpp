#pragma once
// pipeline: one forward pass per batch of inputs, its activations handed to every stage in order.
// Stages are composed at compile time; stage<I>() gives each one back with its results.
//
//   xddp::pipeline p(g, xddp::profile_stage<xddp::channel_neurons>({.threshold = 0.1}));
//   p.run(images);                       // (N, C, H, W), in batches
//   const xddp::profile& cls = p.stage<0>().class_profile();
//   p.run<xddp::cuda>(images);           // the forward passes on a GPU (a .cu file, with
//                                        // <xddp/device/forward.hpp>), the stages as before

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <functional>
#include <tuple>
#include <utility>

#include "xddp/core/error.hpp"
#include "xddp/core/tensor_ref.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/pipeline/stage.hpp"
#include "xddp/tensor/kernel_policy.hpp"

namespace xddp {

// The device stack is not pulled into host builds: run<P> under a kernel policy needs
// <xddp/device/forward.hpp> included where it is called.
template <class P>
class device_model;

struct run_options {
    std::size_t batch_size = 16;  // inputs per forward pass
    // Called after each batch with (inputs done, total), e.g. to print progress on stderr.
    std::function<void(std::size_t, std::size_t)> progress{};
};

template <stage... Stages>
class pipeline {
public:
    static_assert(sizeof...(Stages) > 0, "a pipeline needs at least one stage");
    static constexpr keep needs = ((Stages::needs == keep::all) || ...) ? keep::all : keep::output;

    explicit pipeline(const graph& g, Stages... stages) : graph_(g), stages_(std::move(stages)...) {}
    // The pipeline keeps a reference to the graph: a temporary one would dangle.
    explicit pipeline(graph&&, Stages...) = delete;

    // Feeds x, (N, ...) or one sample without the batch dimension, through the graph and the stages.
    // The forward pass runs under tensor policy P (p.run<xddp::cuda>(x) on a GPU, weights uploaded once
    // per run); the stages consume its activations on the host.
    template <class P = host>
    void run(const tensor_ref& x, const run_options& options = {}) {
        by_policy<P>([&] { run_batches(x, options, [&](const tensor_ref& batch) { return graph_.forward(batch, needs); }); },
                     [&]<class Q>() {
                         const device_model<Q> model(graph_);
                         run_batches(x, options, [&](const tensor_ref& batch) { return to_host(model.forward(batch, needs)); });
                     });
    }

    template <std::size_t I>
    auto& stage() noexcept { return std::get<I>(stages_); }
    template <std::size_t I>
    const auto& stage() const noexcept { return std::get<I>(stages_); }

private:
    template <class Forward>
    void run_batches(const tensor_ref& x, const run_options& options, const Forward& forward) {
        if (options.batch_size == 0) throw value_error("pipeline: batch_size must be positive");
        const shape_t& sample = graph_.input_shape();
        const tensor_ref inputs = x.dimension() == sample.size() ? x.reshaped(with_batch(x.shape(), 1)) : x;
        const std::size_t total = inputs.dimension() ? inputs.shape()[0] : 0;
        // An empty run has no result to report (an empty profile, an accuracy of 0 / 0): refused, as the
        // sensitivity sweep and the pattern statistics refuse it.
        if (total == 0)
            throw value_error("pipeline: the input " + to_string(inputs.shape()) +
                              " holds no sample; expected at least one input");
        const std::size_t per_sample = total ? inputs.size() / total : 0;
        std::apply([&](auto&... s) { (s.start(graph_, total), ...); }, stages_);
        for (std::size_t first = 0; first < total; first += options.batch_size) {
            const std::size_t count = std::min(options.batch_size, total - first);
            shape_t shape = inputs.shape();
            shape[0] = count;
            const tensor_ref batch(inputs.data() + first * per_sample, std::move(shape));
            const activations acts = forward(batch);
            std::apply([&](auto&... s) { (s.consume(acts, first), ...); }, stages_);
            if (options.progress) options.progress(first + count, total);
        }
        std::apply([](auto&... s) { (s.finish(), ...); }, stages_);
    }

    static shape_t with_batch(const shape_t& s, std::size_t n) {
        shape_t out{n};
        out.insert(out.end(), s.begin(), s.end());
        return out;
    }

    const graph& graph_;
    std::tuple<Stages...> stages_;
};

}  // namespace xddp
