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
