#pragma once
// Kernel comparisons as Google Benchmark benchmarks (an optional edge: include it only in programs that link
// benchmark::benchmark; no other xddp header includes it).
//
//   int main(int argc, char** argv) {
//       const xddp::conv2d_options o{.in_channels = 64, .out_channels = 64, .kernel = {3, 3}, .padding = {1, 1}};
//       xddp::metrics::register_kernel_comparison("conv3x3", my_conv(o), xddp::conv2d(o), {{1, 64, 56, 56}})
//           .unit(benchmark::kMillisecond);
//       benchmark::Initialize(&argc, argv);
//       benchmark::RunSpecifiedBenchmarks();
//   }
//
// registers "conv3x3/candidate" and "conv3x3/reference". Both time one forward pass over the same seeded inputs
// and parameters (kernel_check.hpp). The candidate's benchmark first compares its output with the reference's
// and, if they differ beyond the tolerance, stops with SkipWithError naming the worst element: a fast wrong
// kernel never reports a time. Counters: items (inputs of the batch) per second, and MAC/s where the
// reference layer reports its cost.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "xddp/metrics/kernel_check.hpp"

namespace xddp::metrics {

// The two registered benchmarks, for further settings (unit, thread counts, repetitions) on both at once.
struct registered_comparison {
    benchmark::internal::Benchmark* candidate;
    benchmark::internal::Benchmark* reference;

    registered_comparison& unit(benchmark::TimeUnit u) {
        candidate->Unit(u);
        reference->Unit(u);
        return *this;
    }
};

template <layer Candidate, layer Reference>
registered_comparison register_kernel_comparison(const std::string& name, Candidate candidate, Reference reference,
                                                 std::vector<shape_t> inputs, const kernel_check_options& o = {}) {
    struct shared {
        Candidate candidate;
        Reference reference;
        std::vector<shape_t> shapes;
        kernel_check_options options;
        std::vector<activation> xs{};
        std::optional<kernel_check> check{};
        std::uint64_t macs = 0;
    };
    auto s = std::make_shared<shared>(std::move(candidate), std::move(reference), std::move(inputs), o);
    s->xs = detail::prepare(s->candidate, s->reference, s->shapes, s->options);  // validates shapes and parameters now
    if constexpr (requires(const Reference& r, std::span<const shape_t> in) { r.cost(in); })
        s->macs = s->reference.cost(std::span<const shape_t>(s->shapes)).macs_common;

    // The timed loop of either row: forward passes over the shared inputs, then the counters.
    auto time = [s](benchmark::State& state, const auto& layer) {
        activation y(layer.output_shape(s->shapes));
        for (auto _ : state) {
            detail::run_forward(layer, s->xs, y);
            benchmark::DoNotOptimize(y.data());
            benchmark::ClobberMemory();
        }
        state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                                static_cast<std::int64_t>(detail::batch_of(s->shapes)));
        if (s->macs)
            state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(s->macs), benchmark::Counter::kIsIterationInvariantRate);
    };
    auto* c = benchmark::RegisterBenchmark((name + "/candidate").c_str(), [s, time](benchmark::State& state) {
        if (!s->check) s->check = detail::run_and_compare(s->candidate, s->reference, s->xs, s->options);
        if (!s->check->matches()) {
            state.SkipWithError(("output differs from the reference: " + s->check->describe()).c_str());
            return;
        }
        time(state, s->candidate);
    });
    auto* r = benchmark::RegisterBenchmark((name + "/reference").c_str(),
                                           [s, time](benchmark::State& state) { time(state, s->reference); });
    return {c, r};
}

}  // namespace xddp::metrics
