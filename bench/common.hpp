#pragma once
// Shared by the bench_*.cpp programs: thread control for both libraries, deterministic inputs, and the
// counters every row reports. Each xddp benchmark has a libtorch twin doing the same work in the same
// binary, registered right after it, so the two run under the same machine conditions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <xtensor/xtensor.hpp>

#include "xddp/core/simd_level.hpp"
#include "xddp/core/threads.hpp"
#include "xddp/model/seeded_weights.hpp"

#if XDDP_HAVE_TORCH
#include <torch/torch.h>
#endif

namespace xddp::bench {

// Every run's header names the SIMD level the kernels ran at (XDDP_SIMD=sse2 etc. forces a lower one).
inline const bool simd_level_in_context = [] {
    benchmark::AddCustomContext("xddp_simd_level", std::string(to_string(active_simd_level())));
    return true;
}();

// The thread counts every row runs at: 1, and 2 where the machine has two cores or more.
inline std::vector<int> thread_counts() {
    std::vector<int> counts{1};
    if (std::thread::hardware_concurrency() >= 2) counts.push_back(2);
    return counts;
}

// One knob for both libraries. xddp's count also sets OpenBLAS's, which libtorch shares in this process
// (its linear layers call the same libopenblas), so both sides always see the same BLAS thread count.
inline void set_threads(int threads) {
    xddp::set_num_threads(static_cast<unsigned>(threads));
#if XDDP_HAVE_TORCH
    torch::set_num_threads(threads);
#endif
}

// A tensor of the given shape filled with uniform values in [-1, 1) from a fixed seed.
template <std::size_t N>
xt::xtensor<float, N> random_tensor(const std::array<std::size_t, N>& shape, std::uint64_t seed = 1) {
    xt::xtensor<float, N> t(shape);
    splitmix64 rng(seed);
    float* p = t.data();
    for (std::size_t i = 0, n = t.size(); i < n; ++i) p[i] = rng.uniform(1.0f);
    return t;
}

// Fills a parameter buffer with values in [-bound, bound).
inline void fill_uniform(float* p, std::size_t n, float bound, std::uint64_t seed) {
    splitmix64 rng(seed);
    for (std::size_t i = 0; i < n; ++i) p[i] = rng.uniform(bound);
}

// Reports floating-point operations per iteration as a GFLOP/s rate (the rate divides by the measured
// time; every benchmark here uses real time, so this is wall-clock throughput).
inline void report_flops(benchmark::State& state, double flops_per_iteration) {
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Reports bytes moved per iteration as a GB/s rate (for the memory-bound rows).
inline void report_bytes(benchmark::State& state, double bytes_per_iteration) {
    state.counters["GB/s"] = benchmark::Counter(bytes_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Registers "<name>/xddp/threads:<t>" and, with libtorch, "<name>/torch/threads:<t>" for every thread
// count, each pair next to each other, timed in wall-clock milliseconds.
template <class X, class T>
void register_pair(const std::string& name, X xddp_fn, [[maybe_unused]] T torch_fn) {
    auto add = [](const std::string& row, int threads, auto fn) {
        benchmark::RegisterBenchmark(row.c_str(),
                                     [fn, threads](benchmark::State& state) {
                                         set_threads(threads);
                                         fn(state);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    };
    for (int t : thread_counts()) {
        const std::string suffix = "/threads:" + std::to_string(t);
        add(name + "/xddp" + suffix, t, xddp_fn);
#if XDDP_HAVE_TORCH
        add(name + "/torch" + suffix, t, torch_fn);
#endif
    }
}

// The libtorch twin of a row, or nothing when built without libtorch (its code must not be compiled then).
#if XDDP_HAVE_TORCH
#define XDDP_TORCH_PEER(...) __VA_ARGS__
#else
#define XDDP_TORCH_PEER(...) nullptr
#endif

#if XDDP_HAVE_TORCH
// Inference settings for the libtorch side: no autograd bookkeeping at all.
struct torch_inference {
    torch::NoGradGuard no_grad;
    c10::InferenceMode inference;
};
#endif

}  // namespace xddp::bench
