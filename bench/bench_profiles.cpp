// Contribution profiles end to end (forward pass included, as DeepDataProfiler's timings are): VGG16-
// and ResNet18-shaped models with seeded weights, channel and element neurons, thresholds 0.1 and 0.5,
// one input on one thread, and a class profile of a batch of 8 on 2 threads.
// DeepDataProfiler on this machine (one torch thread): VGG16 channel 2.3-3.1 s (0.1) and 17-29 s (0.5),
// element 1.3 s and 2.1-2.6 s; ResNet18 channel 0.24-0.30 s and 0.85-0.93 s, element 0.26-0.28 s and
// 0.41-0.50 s.

#include <benchmark/benchmark.h>

#include "common.hpp"
#include "xddp/model/zoo.hpp"
#include "xddp/pipeline/pipeline.hpp"
#include "xddp/pipeline/profile_stage.hpp"

namespace {

const xddp::graph& model(const std::string& name) {
    static xddp::graph vgg = [] {
        auto g = xddp::zoo::vgg16();
        xddp::seed_weights(g, 0);
        return g;
    }();
    static xddp::graph resnet = [] {
        auto g = xddp::zoo::resnet18();
        xddp::seed_weights(g, 0);
        return g;
    }();
    return name == "vgg16" ? vgg : resnet;
}

template <xddp::neuron_policy P>
void profile_batch(benchmark::State& state, const std::string& name, double threshold, std::size_t batch, int threads) {
    xddp::bench::set_threads(threads);
    const auto& g = model(name);
    const auto x = xddp::bench::random_tensor<4>({batch, 3, 224, 224}, 7);
    std::size_t size = 0;
    for (auto _ : state) {
        xddp::pipeline p(g, xddp::profile_stage<P>({.threshold = threshold}));
        p.run(x, {.batch_size = batch, .progress = {}});
        size = p.template stage<0>().class_profile().size();
        benchmark::DoNotOptimize(size);
    }
    state.counters["profile_size"] = static_cast<double>(size);
    state.counters["inputs/s"] = benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
    for (const std::string name : {"resnet18", "vgg16"})
        for (double threshold : {0.1, 0.5}) {
            const std::string t = threshold == 0.1 ? "0.1" : "0.5";
            benchmark::RegisterBenchmark(("profile/" + name + "/channel/thr" + t + "/1input/1thread").c_str(),
                                         [=](benchmark::State& s) { profile_batch<xddp::channel_neurons>(s, name, threshold, 1, 1); })
                ->Unit(benchmark::kMillisecond)->UseRealTime();
            benchmark::RegisterBenchmark(("profile/" + name + "/element/thr" + t + "/1input/1thread").c_str(),
                                         [=](benchmark::State& s) { profile_batch<xddp::element_neurons>(s, name, threshold, 1, 1); })
                ->Unit(benchmark::kMillisecond)->UseRealTime();
            benchmark::RegisterBenchmark(("profile/" + name + "/channel/thr" + t + "/8inputs/2threads").c_str(),
                                         [=](benchmark::State& s) { profile_batch<xddp::channel_neurons>(s, name, threshold, 8, 2); })
                ->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
        }
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
