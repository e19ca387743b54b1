// ONNX import of the activations of modern CNNs (specs/ddp.md section 9), each on a hand-made model in the
// node pattern PyTorch 1.13's exporter writes at opset 13 (or 14), run and compared with the formula
// computed here; patterns that are not exactly PyTorch's give an unsupported_error naming the node.

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <xddp/io/onnx.hpp>
#include <xddp/xddp.hpp>

#include "check_error.hpp"
#include "test_onnx_builder.hpp"

using namespace onnx_test;

namespace {

xddp::graph load(const model_builder& b) { return xddp::io::load_onnx_from_memory(b.bytes()); }

// A batch of the given shape with values of mixed signs; by default (2, 3, 4, 5).
xt::xarray<float> input_batch(std::size_t n = 2, std::size_t height = 4, std::size_t width = 5) {
    xt::xarray<float> x = xt::zeros<float>({n, std::size_t{3}, height, width});
    const auto values = ramp(x.size(), 0.13f);
    std::copy(values.begin(), values.end(), x.begin());
    return x;
}

// The graph's output on input_batch() against f applied to each element in double, within float roundings.
void check_elementwise(const xddp::graph& g, const std::function<double(double)>& f) {
    const auto x = input_batch();
    const auto y = g(x);
    REQUIRE(y.shape() == x.shape());
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("x = ", x.data()[i]);
        CHECK(std::abs(y.data()[i] - f(x.data()[i])) <= 1e-6 * std::max(1.0, std::abs(f(x.data()[i]))));
    }
}

// x (N, 3, 4, 5) -> one node of `op` -> y.
model_builder unary(const std::string& op, int opset = 13) {
    model_builder b(opset);
    b.input("x", {3, 4, 5}).output("y");
    b.node(op, {"x"}, {"y"}, "/act/" + op);
    return b;
}

}  // namespace

TEST_CASE("ONNX Sigmoid imports as sigmoid") {
    const auto g = load(unary("Sigmoid"));
    REQUIRE(g.size() == 2);
    CHECK(g[1].layer->kind() == "sigmoid");
    CHECK(g[1].name == "act");
    check_elementwise(g, [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
}

TEST_CASE("ONNX Tanh, HardSigmoid (alpha and beta, ONNX's defaults) and HardSwish (opset 14)") {
    const auto tanh = load(unary("Tanh"));
    CHECK(tanh[1].layer->kind() == "tanh");
    check_elementwise(tanh, [](double v) { return std::tanh(v); });

    auto torch_hard_sigmoid = unary("HardSigmoid");
    set_float(*torch_hard_sigmoid.graph().mutable_node(0), "alpha", 1.0f / 6.0f);  // as PyTorch writes Hardsigmoid
    const auto h = load(torch_hard_sigmoid);
    const auto* hs = h[1].layer->get_if<xddp::hard_sigmoid>();
    REQUIRE(hs);
    CHECK(hs->alpha == 1.0f / 6.0f);
    CHECK(hs->beta == 0.5f);
    check_elementwise(h, [](double v) { return std::clamp(v + 3.0, 0.0, 6.0) / 6.0; });

    const auto onnx_defaults = load(unary("HardSigmoid"));
    check_elementwise(onnx_defaults, [](double v) { return std::clamp(0.2 * v + 0.5, 0.0, 1.0); });
    auto both = unary("HardSigmoid");
    set_float(set_float(*both.graph().mutable_node(0), "alpha", 0.5f), "beta", 0.25f);
    check_elementwise(load(both), [](double v) { return std::clamp(0.5 * v + 0.25, 0.0, 1.0); });
    auto nan_alpha = unary("HardSigmoid");
    set_float(*nan_alpha.graph().mutable_node(0), "alpha", std::nanf(""));
    CHECK_ERROR(xddp::format_error, load(nan_alpha), "'/act/HardSigmoid'");

    const auto hard_swish = load(unary("HardSwish", 14));
    CHECK(hard_swish[1].layer->kind() == "hard_swish");
    check_elementwise(hard_swish, [](double v) { return v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0; });
}

TEST_CASE("ONNX Softmax imports over the channel axis only") {
    // (N, C) logits at opset 13 with the default axis -1, and at opset 11 with its default axis 1.
    for (const int opset : {11, 13}) {
        model_builder b(opset);
        b.input("x", {4}).output("y");
        b.node("Softmax", {"x"}, {"y"}, "/softmax/Softmax");
        const auto g = load(b);
        CHECK(g[1].layer->kind() == "softmax");
        const xt::xarray<float> x = {{1.0f, -2.0f, 0.5f, 3.0f}};
        const auto y = g(x);
        const double sum = std::exp(1.0) + std::exp(-2.0) + std::exp(0.5) + std::exp(3.0);
        for (std::size_t c = 0; c < 4; ++c) CHECK(y(0, c) == doctest::Approx(std::exp(double(x(0, c))) / sum));
    }
    // (N, C, H, W) with axis 1 (or -3) at opset 13: over the channels at each position.
    for (const std::int64_t axis : {1, -3}) {
        auto b = unary("Softmax");
        set_int(*b.graph().mutable_node(0), "axis", axis);
        const auto g = load(b);
        const auto x = input_batch();
        const auto y = g(x);
        for (std::size_t n = 0; n < 2; ++n)
            for (std::size_t p = 0; p < 20; ++p) {
                double sum = 0.0;
                for (std::size_t c = 0; c < 3; ++c) sum += std::exp(double(x.data()[(n * 3 + c) * 20 + p]));
                for (std::size_t c = 0; c < 3; ++c) {
                    const std::size_t i = (n * 3 + c) * 20 + p;
                    CHECK(y.data()[i] == doctest::Approx(std::exp(double(x.data()[i])) / sum));
                }
            }
    }
    // The last axis (opset 13's default) of a feature map; axis 1 before opset 13, which flattens C, H, W.
    CHECK_ERROR(xddp::unsupported_error, load(unary("Softmax")),
                "node '/act/Softmax' (Softmax, opset 13): softmax along axis -1 of (N, 3, 4, 5); xddp imports Softmax "
                "over the channel axis 1 only");
    auto flattened = unary("Softmax", 11);
    set_int(*flattened.graph().mutable_node(0), "axis", 1);
    CHECK_ERROR(xddp::unsupported_error, load(flattened), "softmax along axis 1 of (N, 3, 4, 5) (flattened from that axis on)");
    // A flattened feature map is one (N, 60) vector: softmax over all 60 values, not per channel.
    model_builder flat;
    flat.input("x", {3, 4, 5}).output("y");
    set_int(flat.node("Flatten", {"x"}, {"f"}, "/Flatten"), "axis", 1);
    flat.node("Softmax", {"f"}, {"y"}, "/softmax/Softmax");
    const auto g = load(flat);
    REQUIRE(g.size() == 3);
    CHECK(g[1].layer->kind() == "flatten");
    const auto x = input_batch(1);
    double sum = 0.0;
    for (const float v : x) sum += std::exp(double(v));
    CHECK(g(x)(0, 7) == doctest::Approx(std::exp(double(x.data()[7])) / sum));
}
