// Single layers, xddp beside libtorch: the two 3x3 convolutions that dominate VGG16 and ResNet18, the
// batch-1 classifier linear of VGG16 (memory bound: it streams 411 MB of weights) and a 2x2 max pool.

#include <cstddef>

#include "common.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"

namespace {

using namespace xddp;
using xddp::bench::report_bytes;
using xddp::bench::report_flops;

// A 3x3, stride 1, padding 1 convolution with bias on a 1 x channels x size x size input.
struct conv_case {
    std::size_t channels, size;
    double flops() const { return 2.0 * channels * channels * 9 * size * size; }
};

void xddp_conv(benchmark::State& state, conv_case cc) {
    conv2d conv({.in_channels = cc.channels, .out_channels = cc.channels, .kernel = {3, 3}, .padding = {1, 1}});
    bench::fill_uniform(conv.weight().data(), conv.weight().size(), 0.05f, 2);
    bench::fill_uniform(conv.bias().data(), conv.bias().size(), 0.05f, 3);
    const auto x = bench::random_tensor<4>({1, cc.channels, cc.size, cc.size});
    activation y;
    for (auto _ : state) {
        conv.forward(x, y);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    report_flops(state, cc.flops());
}

void xddp_linear(benchmark::State& state, std::size_t in, std::size_t out) {
    // Built once: filling 411 MB of weights takes longer than the measurement itself.
    static const linear fc = [&] {
        linear l({.in_features = in, .out_features = out});
        bench::fill_uniform(l.weight().data(), l.weight().size(), 0.01f, 2);
        bench::fill_uniform(l.bias().data(), l.bias().size(), 0.01f, 3);
        return l;
    }();
    const auto x = bench::random_tensor<2>({1, in});
    activation y;
    for (auto _ : state) {
        fc.forward(x, y);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    report_flops(state, 2.0 * in * out);
    report_bytes(state, 4.0 * in * out);
}

void xddp_max_pool(benchmark::State& state, std::size_t channels, std::size_t size) {
    max_pool2d pool({.kernel = {2, 2}});
    const auto x = bench::random_tensor<4>({1, channels, size, size});
    activation y;
    for (auto _ : state) {
        pool.forward(x, y);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    report_bytes(state, 4.0 * channels * size * size * 1.25);  // read the input, write a quarter of it
}

#if XDDP_HAVE_TORCH
void torch_conv(benchmark::State& state, conv_case cc) {
    bench::torch_inference guard;
    torch::manual_seed(0);
    auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(cc.channels, cc.channels, 3).padding(1).bias(true));
    conv->eval();
    const auto x = torch::rand({1, static_cast<long>(cc.channels), static_cast<long>(cc.size), static_cast<long>(cc.size)});
    for (auto _ : state) {
        auto y = conv->forward(x);
        benchmark::DoNotOptimize(y.data_ptr());
        benchmark::ClobberMemory();
    }
    report_flops(state, cc.flops());
}

void torch_linear(benchmark::State& state, std::size_t in, std::size_t out) {
    bench::torch_inference guard;
    // Built once and never destroyed (libtorch's globals may be gone by the time statics are).
    static torch::nn::Linear& fc = *[&] {
        torch::manual_seed(0);
        auto* l = new torch::nn::Linear(static_cast<long>(in), static_cast<long>(out));
        (*l)->eval();
        return l;
    }();
    const auto x = torch::rand({1, static_cast<long>(in)});
    for (auto _ : state) {
        auto y = fc->forward(x);
        benchmark::DoNotOptimize(y.data_ptr());
        benchmark::ClobberMemory();
    }
    report_flops(state, 2.0 * in * out);
    report_bytes(state, 4.0 * in * out);
}

void torch_max_pool(benchmark::State& state, std::size_t channels, std::size_t size) {
    bench::torch_inference guard;
    auto pool = torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2));
    const auto x = torch::rand({1, static_cast<long>(channels), static_cast<long>(size), static_cast<long>(size)});
    for (auto _ : state) {
        auto y = pool->forward(x);
        benchmark::DoNotOptimize(y.data_ptr());
        benchmark::ClobberMemory();
    }
    report_bytes(state, 4.0 * channels * size * size * 1.25);
}
#endif

}  // namespace

int main(int argc, char** argv) {
    const conv_case c56{64, 56}, c14{256, 14};
    bench::register_pair(
        "conv2d_3x3_64ch_56x56", [=](benchmark::State& s) { xddp_conv(s, c56); },
        XDDP_TORCH_PEER([=](benchmark::State& s) { torch_conv(s, c56); }));
    bench::register_pair(
        "conv2d_3x3_256ch_14x14", [=](benchmark::State& s) { xddp_conv(s, c14); },
        XDDP_TORCH_PEER([=](benchmark::State& s) { torch_conv(s, c14); }));
    bench::register_pair(
        "linear_25088x4096_batch1", [](benchmark::State& s) { xddp_linear(s, 25088, 4096); },
        XDDP_TORCH_PEER([](benchmark::State& s) { torch_linear(s, 25088, 4096); }));
    bench::register_pair(
        "max_pool2d_2x2_64ch_112x112", [](benchmark::State& s) { xddp_max_pool(s, 64, 112); },
        XDDP_TORCH_PEER([](benchmark::State& s) { torch_max_pool(s, 64, 112); }));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
