// State counting speed (specs/tensorstate.md "Speed anchors"): states per second of state_counter::add
// (pack straight from (N, C, 16, 16), hash, count) for C = 50 and C = 512, random states (every state
// new) and repeated states (16 distinct), under both hashing policies, at 1 and 2 threads, beside a pure
// read-bandwidth loop over the same floats in the same binary: counting is meant to stay within 2x of it.
//
//   bench_states --benchmark_counter_table=true
// Rows report states/s (items_per_second) and the float bytes read per second.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include <xddp/core/threads.hpp>
#include <xddp/state/counter.hpp>

namespace {

constexpr std::size_t inputs = 64, height = 16, width = 16, positions = height * width;  // 16384 states a batch

enum class pattern { random, repeated };

// (inputs, C, 16, 16) floats. random: uniform in [-1, 1), so every state is new; repeated: position p of
// every input holds state p % 16, a fixed random pattern, so 16 distinct states.
const std::vector<float>& activations(std::size_t channels, pattern kind) {
    static std::vector<float> cache[2][2];
    auto& x = cache[channels == 50 ? 0 : 1][kind == pattern::random ? 0 : 1];
    if (!x.empty()) return x;
    x.resize(inputs * channels * positions);
    std::uint64_t s = 0x9e3779b97f4a7c15ull ^ channels;
    const auto next = [&] {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    };
    const auto uniform = [&] { return static_cast<float>(next() >> 40) / static_cast<float>(1 << 24) * 2.0f - 1.0f; };
    if (kind == pattern::random) {
        for (float& v : x) v = uniform();
    } else {
        std::vector<float> states(16 * channels);
        for (float& v : states) v = uniform();
        for (std::size_t n = 0; n < inputs; ++n)
            for (std::size_t c = 0; c < channels; ++c)
                for (std::size_t p = 0; p < positions; ++p)
                    x[(n * channels + c) * positions + p] = states[(p % 16) * channels + c];
    }
    return x;
}

void set_rates(benchmark::State& state, std::size_t channels) {
    const auto states = static_cast<std::int64_t>(state.iterations() * inputs * positions);
    state.SetItemsProcessed(states);
    state.SetBytesProcessed(states * static_cast<std::int64_t>(channels * sizeof(float)));
}

// Args: C, threads.
template <class Hash, pattern Kind>
void count_states(benchmark::State& state) {
    const auto channels = static_cast<std::size_t>(state.range(0));
    xddp::set_num_threads(static_cast<unsigned>(state.range(1)));
    const auto& x = activations(channels, Kind);
    xddp::state_counter<Hash> counter(channels);
    std::size_t distinct = 0;
    for (auto _ : state) {
        counter.reset();  // a fresh count every batch; the tables keep their memory
        counter.add(x.data(), inputs, channels, positions);
        distinct = counter.distinct();
        benchmark::DoNotOptimize(distinct);
    }
    state.counters["distinct"] = static_cast<double>(distinct);
    set_rates(state, channels);
}

// Packing alone, to split the cost: the same layout, no hashing or counting (one thread).
void pack_only(benchmark::State& state) {
    const auto channels = static_cast<std::size_t>(state.range(0));
    const auto& x = activations(channels, pattern::random);
    const std::size_t words = xddp::state_words(channels);
    std::vector<std::uint64_t> out(positions * words);
    for (auto _ : state) {
        for (std::size_t n = 0; n < inputs; ++n)
            xddp::pack_states(x.data() + n * channels * positions, channels, positions, 0, positions, out.data(), words);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_rates(state, channels);
}

// The bound: read every float of the batch once (XOR of their bits, vectorised), split over the threads.
void read_bandwidth(benchmark::State& state) {
    const auto channels = static_cast<std::size_t>(state.range(0));
    const auto threads = static_cast<std::size_t>(state.range(1));
    const auto& x = activations(channels, pattern::random);
    const std::size_t n = x.size();
    const auto read = [&](std::size_t first, std::size_t last) {
        std::uint32_t acc[16] = {};
        const auto* p = reinterpret_cast<const unsigned char*>(x.data());
        for (std::size_t i = first; i + 16 <= last; i += 16)
            for (std::size_t k = 0; k < 16; ++k) {
                std::uint32_t v;
                std::memcpy(&v, p + (i + k) * 4, 4);
                acc[k] ^= v;
            }
        std::uint32_t r = 0;
        for (auto v : acc) r ^= v;
        return r;
    };
    xddp::set_num_threads(static_cast<unsigned>(threads));
    std::uint32_t parts[2] = {};
    for (auto _ : state) {
        // xddp's own pool, as state_counter uses it: one share of the floats per thread.
        xddp::parallel_for(0, threads, [&](std::size_t t) { parts[t] = read(n * t / threads, n * (t + 1) / threads); });
        benchmark::DoNotOptimize(parts);
    }
    set_rates(state, channels);
}

void thread_and_width_args(benchmark::internal::Benchmark* b) {
    for (std::int64_t c : {50, 512})
        for (std::int64_t t : {1, 2})
            if (t == 1 || std::thread::hardware_concurrency() >= 2) b->Args({c, t});
    b->ArgNames({"C", "threads"})->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(read_bandwidth)->Apply(thread_and_width_args);
BENCHMARK(pack_only)->Arg(50)->Arg(512)->ArgName("C")->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(count_states<xddp::exact_hash, pattern::random>)->Name("exact/random")->Apply(thread_and_width_args);
BENCHMARK(count_states<xddp::exact_hash, pattern::repeated>)->Name("exact/repeated")->Apply(thread_and_width_args);
BENCHMARK(count_states<xddp::compact_hash, pattern::random>)->Name("compact/random")->Apply(thread_and_width_args);
BENCHMARK(count_states<xddp::compact_hash, pattern::repeated>)->Name("compact/repeated")->Apply(thread_and_width_args);

BENCHMARK_MAIN();
