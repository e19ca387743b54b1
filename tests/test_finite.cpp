// One rule for non-finite values everywhere a model runs (model/graph.hpp): the run stops at the first layer
// whose output holds NaN or Inf, naming it; invalid weights (a negative variance) are named too; empty
// runs are refused; a fixed pool keeps its meaning under a new input shape.

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include <xtensor/xarray.hpp>

#include <xddp/core/finite.hpp>
#include <xddp/core/threads.hpp>
#include <xddp/layers/adaptive_avg_pool2d.hpp>
#include <xddp/layers/batch_norm.hpp>
#include <xddp/layers/conv2d.hpp>
#include <xddp/layers/relu.hpp>
#include <xddp/metrics/evaluation.hpp>
#include <xddp/model/graph.hpp>
#include <xddp/pipeline/pipeline.hpp>
#include <xddp/state/accuracy.hpp>

namespace {

xddp::graph conv_bn(float weight) {
    xddp::graph g({1, 4, 4});
    xddp::conv2d conv({.in_channels = 1, .out_channels = 2, .kernel = {1, 1}, .bias = false});
    conv.weight().fill(weight);
    const auto c = g.add("conv", conv, g.input());
    const auto b = g.add("bn", xddp::batch_norm(2), c);
    g.add("relu", xddp::relu{}, b);
    return g;
}

}  // namespace

TEST_CASE("first_non_finite finds the first NaN or Inf") {
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> v{1, 2, -inf, std::numeric_limits<float>::quiet_NaN()};
    CHECK(xddp::first_non_finite(v.data(), 2) == 2);
    CHECK(xddp::first_non_finite(v.data(), 4) == 2);
    CHECK(xddp::non_finite_name(-inf) == "-Inf");
}

TEST_CASE("an activation that overflows stops the run at the layer where it first appears") {
    const auto g = conv_bn(1e30f);
    const xt::xarray<float> x = xt::full_like(xt::xarray<float>::from_shape({2, 1, 4, 4}), 3e38f);
    CHECK_THROWS_WITH_AS(g(x), doctest::Contains("layer 'conv' (conv2d): its output holds +Inf at element 0 of sample 0"),
                         xddp::value_error);
    // The same rule on every path that runs the model: a pipeline (efficiency, profile) and top-k accuracy.
    xddp::pipeline p(g, xddp::accuracy_stage(std::vector<std::int64_t>{0, 0}));
    CHECK_THROWS_WITH_AS(p.run(x), doctest::Contains("layer 'conv'"), xddp::value_error);
    xddp::metrics::data_split split{x, {0, 0}};
    CHECK_THROWS_WITH_AS(xddp::metrics::top_k_accuracy(g, split, 1), doctest::Contains("layer 'conv'"),
                         xddp::value_error);
    const xt::xarray<float> fine = xt::ones<float>({2, 1, 4, 4});
    CHECK(conv_bn(1.0f)(fine).size() == 2 * 2 * 16);
}

TEST_CASE("a negative batch-norm variance is invalid weights, named with its layer") {
    auto g = conv_bn(1.0f);
    auto* bn = g.at(2).layer->get_if<xddp::batch_norm>();
    REQUIRE(bn);
    bn->running_var()(1) = -1.0f;
    const xt::xarray<float> x = xt::ones<float>({1, 1, 4, 4});
    CHECK_THROWS_WITH_AS(g(x), doctest::Contains("layer 'bn': batch_norm: running_var[1]"), xddp::value_error);
}

TEST_CASE("empty runs are refused, never reported as results") {
    const auto g = conv_bn(1.0f);
    xddp::pipeline p(g, xddp::accuracy_stage(std::vector<std::int64_t>{}));
    const xt::xarray<float> none = xt::zeros<float>({0, 1, 4, 4});
    CHECK_THROWS_WITH_AS(p.run(none), doctest::Contains("holds no sample"), xddp::value_error);
    xddp::metrics::data_split split{none, {}};
    CHECK_THROWS_AS(xddp::metrics::top_k_accuracy(g, split, 1), xddp::error);
}

TEST_CASE("a fixed average pool imported as an adaptive one refuses an input size that would change it") {
    xddp::graph g({2, 8, 8});
    g.add("pool", xddp::adaptive_avg_pool2d::fixed({4, 4}, {8, 8}), g.input());
    CHECK(g[1].shape == xddp::shape_t{2, 2, 2});
    CHECK_THROWS_WITH_AS(g.set_input_shape({2, 16, 16}), doctest::Contains("fixed kernel (4, 4)"), xddp::shape_error);
    CHECK(g[1].shape == xddp::shape_t{2, 2, 2});  // unchanged
    // A pool built as adaptive stays adaptive.
    xddp::graph a({2, 8, 8});
    a.add("pool", xddp::adaptive_avg_pool2d({2, 2}), a.input());
    a.set_input_shape({2, 16, 16});
    CHECK(a[1].shape == xddp::shape_t{2, 2, 2});
}

TEST_CASE("thread counts are capped at what the machine can run") {
    const unsigned before = xddp::num_threads();
    xddp::set_num_threads(1000000);
    CHECK(xddp::num_threads() == xddp::thread_pool::max_threads());
    xddp::set_num_threads(before);
}
