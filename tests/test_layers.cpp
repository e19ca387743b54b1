// Fast layers against the naive references of reference_layers.hpp on random shapes and options.

#include <doctest/doctest.h>

#include <random>

#include <xddp/xddp.hpp>

#include "reference_layers.hpp"
#include "shared_dir.hpp"

using reference::pick;
using reference::run;

TEST_CASE("conv2d equals the naive reference on random shapes and options") {
    std::mt19937 rng(7);
    for (int trial = 0; trial < 150; ++trial) {
        const std::size_t groups = pick(rng, 1, 3);
        xddp::conv2d_options o;
        o.groups = groups;
        o.in_channels = groups * pick(rng, 1, 4);
        o.out_channels = groups * pick(rng, 1, 4);
        o.kernel = {pick(rng, 1, 4), pick(rng, 1, 4)};
        o.stride = {pick(rng, 1, 3), pick(rng, 1, 3)};
        o.dilation = {pick(rng, 1, 2), pick(rng, 1, 2)};
        o.padding = {pick(rng, 0, 2), pick(rng, 0, 2)};
        if (trial % 3 == 0) o.padding_end = xddp::pair_t{pick(rng, 0, 2), pick(rng, 0, 2)};
        o.bias = trial % 2 == 0;
        xddp::conv2d layer(o);
        layer.weight() = reference::random_array({o.out_channels, o.in_channels / groups, o.kernel[0], o.kernel[1]}, rng);
        if (o.bias) layer.bias() = reference::random_array({o.out_channels}, rng);
        const std::size_t h = pick(rng, 7, 13), w = pick(rng, 7, 13);
        const auto x = reference::random_array({pick(rng, 1, 2), o.in_channels, h, w}, rng);
        std::string why;
        CHECK_MESSAGE(reference::allclose(run(layer, x), reference::conv2d(layer, x), 1e-4, 1e-5, &why),
                      "trial ", trial, ": ", why);
    }
}

TEST_CASE("max_pool2d equals the naive reference, with padding, dilation and ceil_mode") {
    std::mt19937 rng(8);
    for (int trial = 0; trial < 150; ++trial) {
        xddp::max_pool2d_options o;
        o.kernel = {pick(rng, 1, 4), pick(rng, 1, 4)};
        o.stride = xddp::pair_t{pick(rng, 1, 3), pick(rng, 1, 3)};
        o.padding = {pick(rng, 0, o.kernel[0] / 2), pick(rng, 0, o.kernel[1] / 2)};
        o.dilation = {pick(rng, 1, 2), pick(rng, 1, 2)};
        o.ceil_mode = trial % 2 == 0;
        xddp::max_pool2d layer(o);
        const auto x = reference::random_array({pick(rng, 1, 2), pick(rng, 1, 3), pick(rng, 8, 15), pick(rng, 8, 15)}, rng);
        CHECK(reference::allclose(run(layer, x), reference::max_pool2d(layer, x), 0, 0));
    }
}

TEST_CASE("avg_pool2d equals the naive reference, with count_include_pad and ceil_mode") {
    std::mt19937 rng(9);
    for (int trial = 0; trial < 150; ++trial) {
        xddp::avg_pool2d_options o;
        o.kernel = {pick(rng, 1, 4), pick(rng, 1, 4)};
        o.stride = xddp::pair_t{pick(rng, 1, 3), pick(rng, 1, 3)};
        o.padding = {pick(rng, 0, o.kernel[0] / 2), pick(rng, 0, o.kernel[1] / 2)};
        o.ceil_mode = trial % 2 == 0;
        o.count_include_pad = trial % 4 < 2;
        xddp::avg_pool2d layer(o);
        const auto x = reference::random_array({1, pick(rng, 1, 3), pick(rng, 5, 12), pick(rng, 5, 12)}, rng);
        std::string why;
        CHECK_MESSAGE(reference::allclose(run(layer, x), reference::avg_pool2d(layer, x), 1e-5, 1e-6, &why), why);
    }
}

TEST_CASE("adaptive_avg_pool2d uses PyTorch's windows when sizes do not divide") {
    std::mt19937 rng(10);
    for (int trial = 0; trial < 60; ++trial) {
        const std::size_t oh = pick(rng, 1, 7), ow = pick(rng, 1, 7);
        const auto x = reference::random_array({2, 3, pick(rng, 1, 13), pick(rng, 1, 13)}, rng);
        CHECK(reference::allclose(run(xddp::adaptive_avg_pool2d({oh, ow}), x), reference::adaptive_avg_pool2d(oh, ow, x),
                                  1e-5, 1e-6));
    }
    // 5 -> 3: windows [0,2), [1,4), [3,5) overlap.
    xt::xarray<float> x = xt::xarray<float>::from_shape({1, 1, 1, 5});
    for (std::size_t i = 0; i < 5; ++i) x(0, 0, 0, i) = float(i);
    const auto y = run(xddp::adaptive_avg_pool2d({1, 3}), x);
    CHECK(y(0, 0, 0, 0) == doctest::Approx(0.5));
    CHECK(y(0, 0, 0, 1) == doctest::Approx(2.0));
    CHECK(y(0, 0, 0, 2) == doctest::Approx(3.5));
}

TEST_CASE("linear at batch 1 and batch 3 equals a plain dot product") {
    std::mt19937 rng(11);
    for (std::size_t batch : {1u, 3u}) {
        xddp::linear layer({.in_features = 37, .out_features = 11});
        layer.weight() = reference::random_array({11, 37}, rng);
        layer.bias() = reference::random_array({11}, rng);
        const auto x = reference::random_array({batch, 37}, rng);
        const auto y = run(layer, x);
        for (std::size_t n = 0; n < batch; ++n)
            for (std::size_t o = 0; o < 11; ++o) {
                double s = layer.bias()(o);
                for (std::size_t i = 0; i < 37; ++i) s += double(layer.weight()(o, i)) * x(n, i);
                CHECK(y(n, o) == doctest::Approx(s).epsilon(1e-5));
            }
    }
    // An (N, C, H, W) input is flattened implicitly.
    xddp::linear flat({.in_features = 12, .out_features = 2});
    CHECK(flat.output_shape(std::vector<xddp::shape_t>{{4, 3, 2, 2}}) == xddp::shape_t{4, 2});
}

TEST_CASE("an input's output does not depend on its batch or the thread count, to the bit") {
    // Linear layers were the exception (gemv alone, sgemm in a batch); every row is now one fixed-order dot.
    std::mt19937 rng(12);
    for (const std::size_t in : {std::size_t{5}, std::size_t{37}, std::size_t{64}, std::size_t{300}}) {
        xddp::linear layer({.in_features = in, .out_features = 45});
        layer.weight() = reference::random_array({45, in}, rng);
        layer.bias() = reference::random_array({45}, rng);
        const auto x = reference::random_array({7, in}, rng);
        for (const unsigned threads : {1u, 2u}) {
            xddp::set_num_threads(threads);
            const auto all = run(layer, x);
            for (std::size_t n = 0; n < 7; ++n) {
                const xt::xarray<float> row = xt::view(x, xt::range(n, n + 1), xt::all());
                const auto alone = run(layer, row);
                for (std::size_t o = 0; o < 45; ++o) REQUIRE(alone(0, o) == all(n, o));
            }
        }
    }
    // A whole model: tiny_vgg's golden inputs alone and together, every node.
    xddp::graph g = xddp::zoo::build("tiny_vgg");
    xddp::load_weights(g, shared_dir() / "golden/ddp/tiny_vgg/weights");
    const auto x0 = xddp::io::load_npy<float>(shared_dir() / "golden/ddp/tiny_vgg/inputs/x0.npy");
    const auto x1 = xddp::io::load_npy<float>(shared_dir() / "golden/ddp/tiny_vgg/inputs/x1.npy");
    const xt::xarray<float> both = xt::concatenate(xt::xtuple(x0, x1), 0);
    xddp::set_num_threads(1);
    const auto together = g.forward(both, xddp::keep::all);
    xddp::set_num_threads(2);
    const auto alone = g.forward(x1, xddp::keep::all);
    for (xddp::node_id id = 1; id < g.size(); ++id) {
        const std::size_t per = alone[id].size();
        for (std::size_t i = 0; i < per; ++i)
            REQUIRE_MESSAGE(alone[id].data()[i] == together[id].data()[per + i], g[id].name << " element " << i);
    }
    xddp::set_num_threads(0);
}

TEST_CASE("element-wise layers, batch_norm, flatten, dropout and add") {
    xt::xarray<float> x = {{-2.0f, -0.5f, 0.0f, 0.5f, 7.0f}};
    CHECK(run(xddp::relu{}, x) == xt::xarray<float>{{0.0f, 0.0f, 0.0f, 0.5f, 7.0f}});
    CHECK(run(xddp::relu6(), x) == xt::xarray<float>{{0.0f, 0.0f, 0.0f, 0.5f, 6.0f}});
    CHECK(run(xddp::leaky_relu{0.1f}, x)(0, 0) == doctest::Approx(-0.2));
    CHECK(run(xddp::elu{}, x)(0, 0) == doctest::Approx(std::expm1(-2.0)));
    CHECK(run(xddp::dropout{}, x) == x);
    xt::xarray<float> nan = xt::zeros<float>({1, 1});
    nan(0, 0) = std::nanf("");
    CHECK(std::isnan(run(xddp::relu{}, nan)(0, 0)));

    xddp::batch_norm bn(2, 1e-5f);
    bn.weight() = {2.0f, 1.0f};
    bn.bias() = {0.5f, 0.0f};
    bn.running_mean() = {1.0f, -1.0f};
    bn.running_var() = {4.0f, 1.0f};
    xt::xarray<float> b = xt::ones<float>({1, 2, 1, 2});
    const auto y = run(bn, b);
    CHECK(y(0, 0, 0, 0) == doctest::Approx((1.0 - 1.0) / std::sqrt(4.0 + 1e-5) * 2.0 + 0.5));
    CHECK(y(0, 1, 0, 1) == doctest::Approx((1.0 + 1.0) / std::sqrt(1.0 + 1e-5)));

    const auto f = run(xddp::flatten{}, b);
    CHECK(xddp::shape_t(f.shape().begin(), f.shape().end()) == xddp::shape_t{1, 4});

    xt::xarray<float> p = {{1.0f, 2.0f}}, q = {{10.0f, 20.0f}};
    xddp::activation s;
    const xddp::tensor_ref ins[2] = {p, q};
    xddp::any_layer(xddp::add{}).forward(ins, s);
    CHECK(s == xt::xarray<float>{{11.0f, 22.0f}});
}

TEST_CASE("layers reject shapes that do not fit, naming what they expected") {
    xddp::conv2d conv({.in_channels = 3, .out_channels = 4, .kernel = {3, 3}});
    CHECK_THROWS_WITH_AS(conv.output_shape(std::vector<xddp::shape_t>{{1, 4, 8, 8}}),
                         "conv2d: input shape (1, 4, 8, 8) does not fit, expected (N, 3, H, W)", xddp::shape_error);
    CHECK_THROWS_AS(conv.output_shape(std::vector<xddp::shape_t>{{1, 3, 2, 2}}), xddp::shape_error);
    CHECK_THROWS_AS(xddp::conv2d({.in_channels = 3, .out_channels = 4, .groups = 2}), xddp::value_error);
    CHECK_THROWS_AS(xddp::conv2d({.in_channels = 3, .out_channels = 4, .kernel = {0, 3}}), xddp::value_error);
    CHECK_THROWS_AS(xddp::max_pool2d({.kernel = {2, 2}, .padding = {2, 2}}), xddp::value_error);
    xddp::linear lin({.in_features = 10, .out_features = 2});
    CHECK_THROWS_WITH_AS(lin.output_shape(std::vector<xddp::shape_t>{{1, 9}}),
                         "linear: input shape (1, 9) does not fit, expected (N, 10) or (N, ...) with 10 elements per sample",
                         xddp::shape_error);
    CHECK_THROWS_AS(xddp::add{}.output_shape(std::vector<xddp::shape_t>{{1, 2}, {1, 3}}), xddp::shape_error);
    CHECK_THROWS_AS(xddp::batch_norm(3).output_shape(std::vector<xddp::shape_t>{{1, 4, 2, 2}}), xddp::shape_error);
}

TEST_CASE("user buffers are read in place through xt::adapt") {
    std::vector<float> buffer(2 * 3 * 4 * 4, 1.0f);
    auto view = xddp::host::adapt(buffer.data(), std::array<std::size_t, 4>{2, 3, 4, 4});
    const xddp::tensor_ref ref(view);
    CHECK(ref.data() == buffer.data());
    CHECK(ref.shape() == xddp::shape_t{2, 3, 4, 4});
    xddp::activation y;
    xddp::max_pool2d({.kernel = {2, 2}}).forward(ref, y);
    CHECK(y.shape()[3] == 2);
}
