// Pattern statistics throughput (xddp::collect_pattern_statistics: the double-precision channels-last
// replay plus the moments of every conv/linear layer for the three masks) on the 5-layer CNN of
// golden/patterns, 3x16x16 inputs, seeded weights; the SVD analysis of its statistics; and one
// PatternAttribution map. iNNvestigate 1.0.8 (TensorFlow 1) is not available here: no twin rows.

#include <cstddef>

#include <benchmark/benchmark.h>

#include "common.hpp"
#include "xddp/model/seeded_weights.hpp"
#include "xddp/model/zoo/patterns_cnn.hpp"
#include "xddp/patterns/patterns.hpp"

namespace {

xddp::graph patterns_cnn() {
    using namespace xddp;
    graph g = zoo::patterns_cnn();
    seed_weights(g, 7);
    return g;
}

// Multiply-adds per image: the forward product rows x in x out and the moments rows x in x (1 + 5 out),
// counted dense (zeros in the inputs are skipped, so the effective rate is higher than the work done).
double flops_per_image(const xddp::graph& g) {
    const xddp::pattern_network net(g);
    double macs = 0;
    for (const auto& k : net.kernel_layers())
        macs += static_cast<double>(k.rows_per_sample * k.inputs()) * static_cast<double>(k.outputs() + 1 + 5 * k.outputs());
    return 2 * macs;
}

void statistics(benchmark::State& state) {
    const xddp::graph g = patterns_cnn();
    const std::size_t n = static_cast<std::size_t>(state.range(0));
    const auto x = xddp::bench::random_tensor<4>({n, 3, 16, 16}, 3);
    for (auto _ : state) {
        auto s = xddp::collect_pattern_statistics(g, x, 32);
        benchmark::DoNotOptimize(s.num_inputs);
    }
    state.counters["images/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
    xddp::bench::report_flops(state, flops_per_image(g) * static_cast<double>(n));
}

void analysis(benchmark::State& state) {
    const xddp::graph g = patterns_cnn();
    const auto x = xddp::bench::random_tensor<4>({64, 3, 16, 16}, 3);
    const auto s = xddp::collect_pattern_statistics(g, x);
    for (auto _ : state) {
        auto a = xddp::analyse_patterns(s, xddp::pattern_kind::relu);
        benchmark::DoNotOptimize(a.filters.chain_ratio_product);
    }
}

void attribution(benchmark::State& state) {
    const xddp::graph g = patterns_cnn();
    const auto x = xddp::bench::random_tensor<4>({64, 3, 16, 16}, 3);
    const auto a = xddp::analyse_patterns(xddp::collect_pattern_statistics(g, x), xddp::pattern_kind::relu);
    const xddp::pattern_network net(g);
    const auto filters = xddp::attribution_filters(net, a.patterns);
    for (auto _ : state) {
        auto map = xddp::backward_with_filters<float>(net, filters, std::span<const float>(x.data(), 768), {.neuron = 1});
        benchmark::DoNotOptimize(map.data());
    }
}

const int registered = [] {
    for (int t : xddp::bench::thread_counts()) {
        const std::string suffix = "/threads:" + std::to_string(t);
        benchmark::RegisterBenchmark(("statistics/512 images" + suffix).c_str(), [t](benchmark::State& s) {
            xddp::bench::set_threads(t);
            statistics(s);
        })->Arg(512)->Unit(benchmark::kMillisecond)->UseRealTime();
    }
    benchmark::RegisterBenchmark("svd analysis/W, A, W*A", [](benchmark::State& s) {
        xddp::bench::set_threads(1);
        analysis(s);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("pattern attribution/1 image", [](benchmark::State& s) {
        xddp::bench::set_threads(1);
        attribution(s);
    })->Unit(benchmark::kMicrosecond);
    return 0;
}();

}  // namespace

BENCHMARK_MAIN();
