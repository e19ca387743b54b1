// Whole-model forward passes at batch 1 on 3x224x224: xddp's zoo VGG16 and ResNet18 with seeded weights,
// beside the same architectures built from torch::nn (torchvision's layer configuration, random weights:
// only the time matters) in eval mode without autograd.

#include <cstddef>
#include <string>

#include "common.hpp"
#include "torch_models.hpp"
#include "xddp/model/zoo.hpp"

namespace {

using namespace xddp;

// Multiply-adds x 2 of the convolutions and linear layers of a graph at batch 1 (the usual model FLOPs).
double graph_flops(const graph& g) {
    double flops = 0;
    for (const node& n : g.nodes()) {
        if (!n.layer) continue;
        if (const auto* c = n.layer->get_if<conv2d>()) {
            const auto& o = c->options();
            flops += 2.0 * o.out_channels * (o.in_channels / o.groups) * o.kernel[0] * o.kernel[1] * n.shape[1] * n.shape[2];
        } else if (const auto* l = n.layer->get_if<linear>()) {
            flops += 2.0 * l->options().in_features * l->options().out_features;
        }
    }
    return flops;
}

void xddp_model(benchmark::State& state, const std::string& name) {
    graph g = zoo::build(name);
    seed_weights(g, 0);
    const auto x = bench::random_tensor<4>({1, 3, 224, 224});
    for (auto _ : state) {
        activation y = g(x);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    bench::report_flops(state, graph_flops(g));
}

#if XDDP_HAVE_TORCH
namespace nn = torch::nn;
using xddp::bench::torch_resnet18;
using xddp::bench::torch_vgg16;

void torch_model(benchmark::State& state, const std::string& name) {
    bench::torch_inference guard;
    torch::manual_seed(0);
    nn::Sequential model = name == "vgg16" ? torch_vgg16() : torch_resnet18();
    model->eval();
    const auto x = torch::rand({1, 3, 224, 224});
    for (auto _ : state) {
        auto y = model->forward(x);
        benchmark::DoNotOptimize(y.data_ptr());
        benchmark::ClobberMemory();
    }
    bench::report_flops(state, graph_flops(zoo::build(name)));
}
#endif

}  // namespace

int main(int argc, char** argv) {
    for (const std::string name : {"resnet18", "vgg16"})
        bench::register_pair(
            name + "_batch1", [name](benchmark::State& s) { xddp_model(s, name); },
            XDDP_TORCH_PEER([name](benchmark::State& s) { torch_model(s, name); }));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
