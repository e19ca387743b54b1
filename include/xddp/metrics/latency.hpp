#pragma once
// Latency: warm-up forward passes, then timed ones on the host backend; per-input times (a pass over a
// batch of N counts N inputs), their median, mean and spread, and the thread count they ran with.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xddp/core/checked.hpp"
#include "xddp/core/error.hpp"
#include "xddp/core/threads.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/model/seeded_weights.hpp"

namespace xddp::metrics {

struct latency_options {
    std::size_t warmup = 2;   // untimed passes first (caches, thread pool start-up)
    std::size_t repeats = 10;
    std::size_t batch = 1;
};

struct latency_stats {
    double median_ms = 0, mean_ms = 0, stdev_ms = 0, min_ms = 0, max_ms = 0;  // per input
    std::size_t repeats = 0, batch = 1;
    unsigned threads = 0;
};

// Times `pass` (one call = one forward pass over `inputs_per_pass` inputs): o.warmup untimed calls, then
// o.repeats timed ones; the statistics are per input. The one timing loop of xddp: models and single
// kernels (metrics/kernel_check.hpp) are timed alike. o.batch is the caller's business here.
template <class Pass>
latency_stats time_repeated(Pass&& pass, const latency_options& o, std::size_t inputs_per_pass) {
    if (o.repeats == 0 || inputs_per_pass == 0)
        throw value_error("time_repeated: repeats and inputs per pass must be positive");
    for (std::size_t i = 0; i < o.warmup; ++i) pass();
    std::vector<double> ms;
    ms.reserve(o.repeats);
    for (std::size_t i = 0; i < o.repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        pass();
        const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
        ms.push_back(took.count() / static_cast<double>(inputs_per_pass));
    }
    latency_stats s;
    s.repeats = o.repeats;
    s.batch = inputs_per_pass;
    s.threads = num_threads();
    std::sort(ms.begin(), ms.end());
    const std::size_t n = ms.size();
    s.median_ms = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    s.min_ms = ms.front();
    s.max_ms = ms.back();
    for (double v : ms) s.mean_ms += v / static_cast<double>(n);
    for (double v : ms) s.stdev_ms += (v - s.mean_ms) * (v - s.mean_ms);
    s.stdev_ms = n > 1 ? std::sqrt(s.stdev_ms / static_cast<double>(n - 1)) : 0.0;
    return s;
}

// Times g on a deterministic input of the graph's input shape; what the values are does not change the time.
inline latency_stats measure_latency(const graph& g, const latency_options& o = {}) {
    if (o.repeats == 0 || o.batch == 0) throw value_error("measure_latency: repeats and batch must be positive");
    shape_t shape{o.batch};
    shape.insert(shape.end(), g.input_shape().begin(), g.input_shape().end());
    const std::uint64_t bytes = checked_mul(checked_element_count(shape, "measure_latency: input"), sizeof(float),
                                            "measure_latency: input bytes");
    activation x;
    try {
        x = activation(shape);
    } catch (const std::bad_alloc&) {
        throw resource_error("measure_latency: cannot allocate an input of shape " + to_string(shape) + " (" +
                             std::to_string(bytes) + " bytes)");
    }
    splitmix64 rng(1);
    for (float& v : x) v = rng.uniform(1.0f);
    return time_repeated([&] { (void)g(x); }, o, o.batch);
}

}  // namespace xddp::metrics
