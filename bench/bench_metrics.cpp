// The static model metrics (xddp::metrics::analyze: per-layer costs, MACs in both conventions, peak
// memory) of every zoo model: no forward pass, so it should take microseconds even for resnet50.
// deeplite-profiler traces the model with torch.jit for the same figures; no libtorch twin here.

#include <string>

#include <benchmark/benchmark.h>

#include "xddp/metrics/model_cost.hpp"
#include "xddp/model/zoo.hpp"

namespace {

void analyze_model(benchmark::State& state, const std::string& name) {
    const xddp::graph g = xddp::zoo::build(name);
    for (auto _ : state) {
        auto cost = xddp::metrics::analyze(g);
        benchmark::DoNotOptimize(cost.peak_activation_bytes);
    }
    state.counters["nodes"] = static_cast<double>(g.size());
}

const int registered = [] {
    for (const char* name : {"lenet5_classic", "resnet18", "resnet50", "vgg16", "alexnet", "mobilenet_v2"})
        benchmark::RegisterBenchmark(("analyze/" + std::string(name)).c_str(), analyze_model, std::string(name))
            ->Unit(benchmark::kMicrosecond);
    return 0;
}();

}  // namespace

BENCHMARK_MAIN();
