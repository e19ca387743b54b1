// One classifier_evaluation of a pruning-sensitivity sweep (top-1, top-5 and mean cross-entropy over a labelled set in
// batches of 100), the unit of work a sweep repeats for every tensor and level:
//   tiny_cnn: the golden TinyCNN over its 500 test images (golden/metrics/sensitivity, found through the
//             XDDP_SHARED environment variable or the shared folder beside the repository; seeded
//             weights and random images where it is absent);
//   resnet18: the zoo ResNet18 with seeded weights over 64 random 3x224x224 images.
// Beside each, libtorch doing the same work (torch::nn modules, random weights, no autograd).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common.hpp"
#include "torch_models.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/model/weights.hpp"
#include "xddp/model/zoo.hpp"
#include "xddp/pruning/evaluate.hpp"

namespace {

using namespace xddp;

constexpr std::size_t eval_batch = 100;

std::filesystem::path golden_dir() {
    if (const char* env = std::getenv("XDDP_SHARED"); env && *env)
        return std::filesystem::path(env) / "golden" / "metrics" / "sensitivity";
    return std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "shared" / "golden" / "metrics" /
           "sensitivity";
}

struct workload {
    graph model;
    xt::xarray<float> images;
    std::vector<std::int64_t> labels;
};

std::vector<std::int64_t> cycling_labels(std::size_t n, std::int64_t classes) {
    std::vector<std::int64_t> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<std::int64_t>(i * 7) % classes;
    return labels;
}

const workload& tiny_cnn_workload() {
    static const workload w = [] {
        workload w{zoo::tiny_cnn(), {}, {}};
        const auto dir = golden_dir();
        if (std::filesystem::exists(dir / "dataset" / "x_test.npy")) {
            load_weights(w.model, dir / "weights");
            w.images = io::load_npy<float>(dir / "dataset" / "x_test.npy");
            const auto y = io::load_npy<std::int64_t>(dir / "dataset" / "y_test.npy");
            w.labels.assign(y.begin(), y.end());
        } else {
            seed_weights(w.model, 0);
            w.images = bench::random_tensor<4>({500, 1, 16, 16});
            w.labels = cycling_labels(500, 10);
        }
        return w;
    }();
    return w;
}

const workload& resnet18_workload() {
    static const workload w = [] {
        workload w{zoo::resnet18(), bench::random_tensor<4>({64, 3, 224, 224}), cycling_labels(64, 1000)};
        seed_weights(w.model, 0);
        return w;
    }();
    return w;
}

void xddp_evaluate(benchmark::State& state, const workload& w) {
    for (auto _ : state) {
        const classifier_evaluation e = evaluate_classifier(w.model, w.images, w.labels, eval_batch);
        benchmark::DoNotOptimize(e.loss);
    }
    state.counters["images/s"] =
        benchmark::Counter(static_cast<double>(w.labels.size()), benchmark::Counter::kIsIterationInvariantRate);
}

#if XDDP_HAVE_TORCH
namespace nn = torch::nn;
using xddp::bench::torch_resnet18;

// Distiller's test loop: per batch, logits, mean cross-entropy, top-1 and top-5 hits.
void torch_evaluate(benchmark::State& state, nn::Sequential& model, const torch::Tensor& images,
                    const torch::Tensor& labels) {
    bench::torch_inference guard;
    model->eval();
    const long n = images.size(0);
    for (auto _ : state) {
        double loss = 0, batches = 0;
        long correct1 = 0, correct5 = 0;
        for (long first = 0; first < n; first += static_cast<long>(eval_batch)) {
            const long count = std::min<long>(static_cast<long>(eval_batch), n - first);
            const auto x = images.narrow(0, first, count);
            const auto y = labels.narrow(0, first, count);
            const auto out = model->forward(x);
            const double v = torch::nn::functional::cross_entropy(out, y).item<double>();
            batches += 1;
            loss += (v - loss) / batches;
            const auto top = std::get<1>(out.topk(5, 1, true, true));
            const auto hits = top.eq(y.view({-1, 1}));
            correct1 += hits.narrow(1, 0, 1).sum().item<long>();
            correct5 += hits.sum().item<long>();
        }
        benchmark::DoNotOptimize(loss);
        benchmark::DoNotOptimize(correct1 + correct5);
    }
    state.counters["images/s"] =
        benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

nn::Sequential torch_tiny_cnn() {
    nn::Sequential m;
    m->push_back(nn::Conv2d(nn::Conv2dOptions(1, 8, 3).padding(1)));
    m->push_back(nn::ReLU());
    m->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    m->push_back(nn::Conv2d(nn::Conv2dOptions(8, 16, 3).padding(1)));
    m->push_back(nn::ReLU());
    m->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    m->push_back(nn::Flatten());
    m->push_back(nn::Linear(256, 32));
    m->push_back(nn::ReLU());
    m->push_back(nn::Linear(32, 10));
    return m;
}


torch::Tensor to_torch(const xt::xarray<float>& x) {
    std::vector<long> shape(x.shape().begin(), x.shape().end());
    return torch::from_blob(const_cast<float*>(x.data()), shape, torch::kFloat32).clone();
}

torch::Tensor to_torch(const std::vector<std::int64_t>& y) {
    return torch::from_blob(const_cast<std::int64_t*>(y.data()), {static_cast<long>(y.size())}, torch::kInt64).clone();
}

void torch_tiny_cnn_evaluate(benchmark::State& state) {
    torch::manual_seed(0);
    auto model = torch_tiny_cnn();
    const auto& w = tiny_cnn_workload();
    torch_evaluate(state, model, to_torch(w.images), to_torch(w.labels));
}

void torch_resnet18_evaluate(benchmark::State& state) {
    torch::manual_seed(0);
    auto model = torch_resnet18();
    const auto& w = resnet18_workload();
    torch_evaluate(state, model, to_torch(w.images), to_torch(w.labels));
}
#endif

}  // namespace

int main(int argc, char** argv) {
    bench::register_pair(
        "sensitivity_eval/tiny_cnn_500", [](benchmark::State& s) { xddp_evaluate(s, tiny_cnn_workload()); },
        XDDP_TORCH_PEER([](benchmark::State& s) { torch_tiny_cnn_evaluate(s); }));
    bench::register_pair(
        "sensitivity_eval/resnet18_64x224", [](benchmark::State& s) { xddp_evaluate(s, resnet18_workload()); },
        XDDP_TORCH_PEER([](benchmark::State& s) { torch_resnet18_evaluate(s); }));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
