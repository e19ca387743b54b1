// Pattern estimation on the three analytic cases of golden/patterns/analytic (exact true patterns),
// PatternAttribution against a naive NCHW reference written here and against finite differences,
// layout round trips, and bad inputs.

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include <xddp/core/threads.hpp>
#include <xddp/layers/add.hpp>
#include <xddp/layers/batch_norm.hpp>
#include <xddp/patterns/analysis.hpp>
#include <xddp/patterns/attribution.hpp>
#include <xddp/patterns/json.hpp>
#include <xddp/patterns/layout.hpp>
#include <xddp/patterns/plot.hpp>

#include "golden_patterns.hpp"

namespace {

using golden_patterns::load;

double max_abs_diff(const xt::xarray<double>& a, const xt::xarray<double>& b) {
    REQUIRE(a.shape() == b.shape());
    return xt::amax(xt::abs(a - b))();
}

// y = x W for row-major x (rows x in) and W (in x out), by plain loops.
std::vector<double> times(const double* x, std::size_t rows, const xt::xtensor<double, 2>& w) {
    const std::size_t in = w.shape()[0], out = w.shape()[1];
    std::vector<double> y(rows * out, 0.0);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t i = 0; i < in; ++i)
            for (std::size_t o = 0; o < out; ++o) y[r * out + o] += x[r * in + i] * w(i, o);
    return y;
}

xt::xtensor<double, 2> as_matrix(const xt::xarray<double>& a) {
    const std::size_t cols = a.shape().back();
    xt::xtensor<double, 2> m = xt::xtensor<double, 2>::from_shape({a.size() / cols, cols});
    std::copy(a.begin(), a.end(), m.begin());
    return m;
}

std::vector<double> to_vector(const xt::xarray<double>& a) { return {a.begin(), a.end()}; }

}  // namespace

TEST_CASE("analytic T1: the textbook 2-D signal/distractor case gives the true pattern") {
    const auto x = load("analytic/T1.x.npy");
    const auto w = as_matrix(load("analytic/T1.W.npy"));
    const auto y = times(x.data(), x.shape()[0], w);
    xddp::layer_moments m(2, to_vector(load("analytic/T1.b.npy")));
    m.add(x.data(), y.data(), x.shape()[0]);
    const auto expected = load("analytic/T1.expected_A.npy");
    for (const auto kind : {xddp::pattern_kind::linear, xddp::pattern_kind::relu}) {
        const auto p = xddp::estimate_pattern(m, kind, w);
        CAPTURE(xddp::to_string(kind));
        CHECK(max_abs_diff(p.pattern, expected) <= 1e-10);
        const auto reference = load(kind == xddp::pattern_kind::linear ? "analytic/T1.A_linear.npy" : "analytic/T1.A_relu.npy");
        CHECK(max_abs_diff(p.pattern, reference) <= 1e-12);
    }
}

TEST_CASE("analytic T2: a strided conv with a zero weight column") {
    const auto x = load("analytic/T2.x_nhwc.npy");  // (200, 9, 9, 2)
    const auto w_hwio = load("analytic/T2.W_hwio.npy");  // (3, 3, 2, 5)
    const auto stride = static_cast<std::size_t>(load("analytic/T2.stride.npy")(0));
    REQUIRE(stride == 3);
    const auto w = as_matrix(w_hwio);  // (kh, kw, cin) rows, cin fastest: the channels-last matrix view
    xddp::window2d win{{3, 3}, {stride, stride}, {0, 0}, {0, 0}, {1, 1}, false};
    const std::size_t ho = win.output(9, 0), wo = win.output(9, 1);
    REQUIRE(ho == 3);
    xddp::layer_moments m(18, to_vector(load("analytic/T2.b.npy")));
    std::vector<double> rows(ho * wo * 18);
    for (std::size_t n = 0; n < x.shape()[0]; ++n) {
        xddp::extract_patches(x.data() + n * 162, {9, 9, 2}, win, ho, wo, rows.data());
        const auto y = times(rows.data(), ho * wo, w);
        m.add(rows.data(), y.data(), ho * wo);
    }
    CHECK(m.rows() == 200 * 9);
    const auto p = xddp::estimate_pattern(m, xddp::pattern_kind::linear, w);
    xt::xarray<double> a = p.pattern;
    a.reshape({3, 3, 2, 5});
    CHECK(max_abs_diff(a, load("analytic/T2.A_linear.npy")) <= 1e-10);
    const xt::xarray<double> first4 = xt::view(a, xt::all(), xt::all(), xt::all(), xt::range(0, 4));
    CHECK(max_abs_diff(first4, load("analytic/T2.expected_A_first4.npy")) <= 1e-10);
    // The zero weight column (channel 3): denominator exactly 0, divided by 1.
    CHECK(p.denominator(3) == 0.0);
    CHECK(p.zero_denominators == 1);
    for (std::size_t i = 0; i < 18; ++i) CHECK(p.pattern(i, 3) == 0.0);  // y = 0: no covariance either
    const auto diag = load("analytic/T2.diag_WtA.npy");
    for (std::size_t j = 0; j < 5; ++j) {
        double d = 0;
        for (std::size_t i = 0; i < 18; ++i) d += w(i, j) * p.pattern(i, j);
        CHECK(d == doctest::Approx(diag(j)).epsilon(1e-12));
    }
}

TEST_CASE("analytic T3: a dense layer with a dead neuron") {
    const auto x = load("analytic/T3.x.npy");
    const auto w = as_matrix(load("analytic/T3.W.npy"));
    const auto y = times(x.data(), x.shape()[0], w);
    xddp::layer_moments m(6, to_vector(load("analytic/T3.b.npy")));
    // In three uneven pieces: the sums do not care.
    m.add(x.data(), y.data(), 100);
    m.add(x.data() + 100 * 6, y.data() + 100 * 4, 1);
    m.add(x.data() + 101 * 6, y.data() + 101 * 4, 799);
    const auto p = xddp::estimate_pattern(m, xddp::pattern_kind::relu, w);
    CHECK(max_abs_diff(p.count, load("analytic/T3.count.npy")) == 0.0);
    CHECK(p.dead == 1);
    CHECK(max_abs_diff(p.pattern, load("analytic/T3.expected_A.npy")) <= 1e-10);
    CHECK(max_abs_diff(p.pattern, load("analytic/T3.A_relu.npy")) <= 1e-12);
    for (std::size_t i = 0; i < 6; ++i) CHECK(p.pattern(i, 3) == 0.0);
}

namespace {

// A naive NCHW reference of the golden model, from the PyTorch-layout weights: the forward pass (keeping
// pre-activations and pool winners) and the backward pass with given filters.
struct naive_model {
    std::vector<xt::xarray<double>> w, b;  // conv1, conv2, conv3, fc1, fc2, PyTorch layout

    static std::vector<double> conv(const std::vector<double>& x, std::size_t c, std::size_t h, const xt::xarray<double>& k,
                                    const xt::xarray<double>& bias, std::size_t pad, std::size_t& ho) {
        const std::size_t o = k.shape()[0];
        ho = h + 2 * pad - 2;
        std::vector<double> y(o * ho * ho);
        for (std::size_t oc = 0; oc < o; ++oc)
            for (std::size_t i = 0; i < ho; ++i)
                for (std::size_t j = 0; j < ho; ++j) {
                    double s = bias(oc);
                    for (std::size_t ic = 0; ic < c; ++ic)
                        for (std::size_t r = 0; r < 3; ++r)
                            for (std::size_t q = 0; q < 3; ++q) {
                                const long ih = long(i + r) - long(pad), iw = long(j + q) - long(pad);
                                if (ih < 0 || iw < 0 || ih >= long(h) || iw >= long(h)) continue;
                                s += k(oc, ic, r, q) * x[(ic * h + ih) * h + iw];
                            }
                    y[(oc * ho + i) * ho + j] = s;
                }
        return y;
    }
    static std::vector<double> conv_back(const std::vector<double>& g, std::size_t c, std::size_t h, const xt::xarray<double>& k,
                                         std::size_t pad, std::size_t ho) {
        std::vector<double> gin(c * h * h, 0.0);
        for (std::size_t oc = 0; oc < k.shape()[0]; ++oc)
            for (std::size_t i = 0; i < ho; ++i)
                for (std::size_t j = 0; j < ho; ++j)
                    for (std::size_t ic = 0; ic < c; ++ic)
                        for (std::size_t r = 0; r < 3; ++r)
                            for (std::size_t q = 0; q < 3; ++q) {
                                const long ih = long(i + r) - long(pad), iw = long(j + q) - long(pad);
                                if (ih < 0 || iw < 0 || ih >= long(h) || iw >= long(h)) continue;
                                gin[(ic * h + ih) * h + iw] += k(oc, ic, r, q) * g[(oc * ho + i) * ho + j];
                            }
        return gin;
    }
    static std::vector<double> dense(const std::vector<double>& x, const xt::xarray<double>& k, const xt::xarray<double>& bias) {
        std::vector<double> y(k.shape()[0]);
        for (std::size_t o = 0; o < y.size(); ++o) {
            double s = bias(o);
            for (std::size_t i = 0; i < x.size(); ++i) s += k(o, i) * x[i];
            y[o] = s;
        }
        return y;
    }
    static std::vector<double> dense_back(const std::vector<double>& g, const xt::xarray<double>& k) {
        std::vector<double> gin(k.shape()[1], 0.0);
        for (std::size_t o = 0; o < g.size(); ++o)
            for (std::size_t i = 0; i < gin.size(); ++i) gin[i] += k(o, i) * g[o];
        return gin;
    }
    static std::vector<double> relu(std::vector<double> v) {
        for (auto& e : v) e = e > 0 ? e : 0;
        return v;
    }
    static void mask(std::vector<double>& g, const std::vector<double>& z) {
        for (std::size_t i = 0; i < g.size(); ++i)
            if (!(z[i] > 0)) g[i] = 0;
    }

    // filters: PyTorch layout, one per kernel layer. Seed: the logit's value.
    std::vector<double> attribution(const std::vector<double>& x, const std::vector<xt::xarray<double>>& f, std::size_t k) const {
        std::size_t h1, h2, h3;
        const auto z1 = conv(x, 3, 16, w[0], b[0], 1, h1);
        const auto z2 = conv(relu(z1), 16, h1, w[1], b[1], 0, h2);
        const auto a2 = relu(z2);
        const std::size_t hp = h2 / 2;
        std::vector<double> p(32 * hp * hp);
        std::vector<std::size_t> win(p.size());
        for (std::size_t c = 0; c < 32; ++c)
            for (std::size_t i = 0; i < hp; ++i)
                for (std::size_t j = 0; j < hp; ++j) {
                    std::size_t best = (c * h2 + 2 * i) * h2 + 2 * j;
                    for (std::size_t r = 0; r < 2; ++r)
                        for (std::size_t q = 0; q < 2; ++q) {
                            const std::size_t idx = (c * h2 + 2 * i + r) * h2 + 2 * j + q;
                            if (a2[idx] > a2[best]) best = idx;
                        }
                    p[(c * hp + i) * hp + j] = a2[best];
                    win[(c * hp + i) * hp + j] = best;
                }
        const auto z3 = conv(p, 32, hp, w[2], b[2], 1, h3);
        const auto z4 = dense(relu(z3), w[3], b[3]);
        const auto z5 = dense(relu(z4), w[4], b[4]);
        std::vector<double> g(10, 0.0);
        g[k] = z5[k];
        g = dense_back(g, f[4]);
        mask(g, z4);
        g = dense_back(g, f[3]);
        mask(g, z3);
        g = conv_back(g, 32, hp, f[2], 1, h3);
        std::vector<double> gp(a2.size(), 0.0);
        for (std::size_t i = 0; i < g.size(); ++i) gp[win[i]] += g[i];
        mask(gp, z2);
        g = conv_back(gp, 16, h1, f[1], 0, h2);
        mask(g, z1);
        return conv_back(g, 3, 16, f[0], 1, h1);
    }
};

}  // namespace

TEST_CASE("pattern attribution: the golden relu patterns, against a naive NCHW reference") {
    const auto g = golden_patterns::model();
    const xddp::pattern_network net(g);
    const auto x = golden_patterns::inputs();
    const std::vector<std::string> names{"conv1", "conv2", "conv3", "fc1", "fc2"};
    naive_model ref;
    std::vector<xt::xarray<double>> filters_torch;
    std::vector<xddp::layer_pattern> patterns(5);
    for (std::size_t k = 0; k < 5; ++k) {
        ref.w.push_back(load("patterns/W." + names[k] + ".torch.npy"));
        ref.b.push_back(load<float>("model_and_data/" + names[k] + ".bias.npy"));
        filters_torch.push_back(ref.w.back() * load("patterns/relu." + names[k] + ".A_torch.npy"));
        patterns[k].pattern = as_matrix(load("patterns/relu." + names[k] + ".A_keras.npy"));
    }
    for (const auto& [sample, neuron] : {std::pair<std::size_t, std::size_t>{0, 3}, {5, 1}, {17, 2}}) {
        CAPTURE(sample);
        const std::span<const float> s(x.data() + sample * 768, 768);
        const auto map = xddp::pattern_attribution(net, std::span<const xddp::layer_pattern>(patterns), s, {.neuron = neuron});
        REQUIRE(map.shape() == std::vector<std::size_t>{3, 16, 16});
        const auto expected = ref.attribution(std::vector<double>(s.begin(), s.end()), filters_torch, neuron);
        double worst = 0, scale = 0;
        for (std::size_t i = 0; i < expected.size(); ++i)
            worst = std::max(worst, std::abs(map.data()[i] - expected[i])), scale = std::max(scale, std::abs(expected[i]));
        CHECK(scale > 0.0);
        CHECK(worst <= 1e-12 * scale);
    }
}

TEST_CASE("pattern attribution with W itself and seed 1 is the gradient (finite differences)") {
    const auto g = golden_patterns::model();
    const xddp::pattern_network net(g);
    const auto x = golden_patterns::inputs();
    std::vector<xt::xtensor<double, 2>> weights;
    for (const auto& k : net.kernel_layers()) weights.push_back(k.weight);
    std::vector<double> sample(x.data() + 3 * 768, x.data() + 4 * 768);
    const std::size_t neuron = 7;
    const auto grad = xddp::backward_with_filters<double>(net, weights, sample, {.neuron = neuron, .seed = xddp::attribution_seed::one});
    auto logit = [&](const std::vector<double>& v) {
        return net.forward(std::span<const double>(v), [](std::size_t, const double*, const double*, std::size_t) {})[neuron];
    };
    const double h = 1e-6;
    for (std::size_t i : {0u, 17u, 300u, 511u, 767u}) {
        auto up = sample, down = sample;
        up[i] += h;
        down[i] -= h;
        const double fd = (logit(up) - logit(down)) / (2 * h);
        CAPTURE(i);
        CHECK(grad.data()[i] == doctest::Approx(fd).epsilon(1e-6).scale(1e-3));
    }
    // Seeding with the output value scales the map by it.
    const auto scaled = xddp::backward_with_filters<double>(net, weights, sample, {.neuron = neuron});
    const double y = logit(sample);
    CHECK(max_abs_diff(scaled, grad * y) <= 1e-15 * xt::amax(xt::abs(grad))() * std::abs(y) + 1e-300);
}

TEST_CASE("layouts: PyTorch <-> channels-last round trips, flatten order included") {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> d(-1, 1);
    std::vector<float> conv(4 * 3 * 2 * 5), lin(6 * 24);
    for (auto& v : conv) v = d(rng);
    for (auto& v : lin) v = d(rng);
    const auto m = xddp::conv_weight_channels_last(conv.data(), 4, 3, 2, 5);
    CHECK(m.shape()[0] == 30);
    // Row (r, q, c), column o holds torch (o, c, r, q).
    CHECK(m((1 * 5 + 3) * 3 + 2, 1) == conv[((1 * 3 + 2) * 2 + 1) * 5 + 3]);
    const auto back = xddp::conv_matrix_to_torch(m, 3, 2, 5);
    for (std::size_t i = 0; i < conv.size(); ++i) CHECK(back.data()[i] == conv[i]);
    const xddp::hwc_t src{2, 3, 4};  // flatten of (C=4, H=2, W=3)
    const auto l = xddp::linear_weight_channels_last(lin.data(), 6, 24, src);
    // Input (c, h, w) = (3, 1, 2): torch column 3*6 + 1*3 + 2 = 23, channels-last row (1*3 + 2)*4 + 3 = 23... and
    // (c, h, w) = (1, 0, 2): torch column 8, row (0*3 + 2)*4 + 1 = 9.
    CHECK(l(9, 5) == lin[5 * 24 + 8]);
    const auto lback = xddp::linear_matrix_to_torch(l, src);
    for (std::size_t i = 0; i < lin.size(); ++i) CHECK(lback.data()[i] == lin[i]);
}

TEST_CASE("pattern statistics: the thread count does not change a bit") {
    const auto g = golden_patterns::model();
    const auto x_all = golden_patterns::inputs();
    const xt::xarray<float> x = xt::view(x_all, xt::range(0, 8));
    const unsigned before = xddp::num_threads();
    xddp::set_num_threads(1);
    const auto one = xddp::collect_pattern_statistics(g, x);
    xddp::set_num_threads(2);
    const auto two = xddp::collect_pattern_statistics(g, x);
    xddp::set_num_threads(before);
    for (std::size_t k = 0; k < one.moments.size(); ++k)
        for (const auto kind : xddp::pattern_kinds) {
            CHECK(one.moments[k].sum_xy(kind) == two.moments[k].sum_xy(kind));
            CHECK(one.moments[k].sum_x(kind) == two.moments[k].sum_x(kind));
        }
}

TEST_CASE("patterns: bad inputs are errors that say what was expected") {
    using namespace xddp;
    CHECK_THROWS_AS(parse_pattern_kind("softplus"), value_error);
    CHECK(parse_pattern_kind("relu.negative") == pattern_kind::relu_negative);
    // Layers the analysis does not handle, and non-chain graphs.
    {
        graph g = sequential({2, 4, 4}).then("conv", conv2d({.in_channels = 2, .out_channels = 2})).then("bn", batch_norm(2)).build();
        CHECK_THROWS_WITH_AS(pattern_network{g}, doctest::Contains("'bn' (batch_norm)"), unsupported_error);
    }
    {
        graph g = sequential({4, 4, 4}).then("conv", conv2d({.in_channels = 4, .out_channels = 4, .groups = 2})).build();
        CHECK_THROWS_WITH_AS(pattern_network{g}, doctest::Contains("groups = 2"), unsupported_error);
    }
    {
        graph g({2, 4, 4});
        const auto a = g.add("conv", conv2d({.in_channels = 2, .out_channels = 2}), g.input());
        g.add("sum", add{}, a, g.input());
        CHECK_THROWS_AS(pattern_network{g}, unsupported_error);
    }
    {
        graph g = sequential({3}).then("relu", relu{}).build();
        CHECK_THROWS_WITH_AS(pattern_network{g}, doctest::Contains("no conv2d or linear"), unsupported_error);
    }
    const auto g = golden_patterns::model();
    pattern_statistics stats = make_pattern_statistics(g);
    const xt::xarray<float> wrong = xt::zeros<float>({2, 3, 8, 8});
    CHECK_THROWS_AS(add_inputs(stats, wrong), shape_error);
    xt::xarray<float> with_nan = xt::zeros<float>({2, 3, 16, 16});
    with_nan(1, 2, 3, 4) = std::nanf("");
    CHECK_THROWS_WITH_AS(add_inputs(stats, with_nan), doctest::Contains("input 1: pattern analysis: the sample holds NaN at element 564"), value_error);
    CHECK_THROWS_AS(collect_pattern_statistics(g, golden_patterns::inputs(), 0), value_error);
    // Estimation before any row, and with a weight of the wrong shape.
    CHECK_THROWS_WITH_AS(estimate_patterns(stats, pattern_kind::relu), doctest::Contains("no rows"), value_error);
    CHECK_THROWS_AS(layer_moments(0, {1.0}), shape_error);
    layer_moments m(2, {0.0});
    const double xr[2] = {1, 2}, yr[1] = {3};
    m.add(xr, yr, 1);
    CHECK_THROWS_AS(estimate_pattern(m, pattern_kind::linear, xt::zeros<double>({3, 1})), shape_error);
    layer_moments other(3, {0.0});
    CHECK_THROWS_AS(m += other, shape_error);
    // Attribution: an output neuron that does not exist, patterns that do not fit.
    const pattern_network net(g);
    std::vector<layer_pattern> patterns(5);
    for (std::size_t k = 0; k < 5; ++k) patterns[k].pattern = xt::ones<double>(net.kernel_layers()[k].weight.shape());
    const std::vector<float> sample(768, 0.5f);
    CHECK_THROWS_WITH_AS(pattern_attribution(net, std::span<const layer_pattern>(patterns), std::span<const float>(sample), {.neuron = 10}),
                         doctest::Contains("output neuron 10"), value_error);
    CHECK_THROWS_AS(pattern_attribution(net, std::span<const layer_pattern>(patterns).subspan(1), std::span<const float>(sample)), shape_error);
    patterns[2].pattern = xt::ones<double>({3, 3});
    CHECK_THROWS_WITH_AS(pattern_attribution(net, std::span<const layer_pattern>(patterns), std::span<const float>(sample)),
                         doctest::Contains("'conv3'"), shape_error);
    // Chain matrices need matching shapes.
    CHECK_THROWS_AS(chain_matrix(xt::ones<double>({3, 4}), xt::ones<double>({5, 2})), shape_error);
}

TEST_CASE("analysis: a one-output layer has no sigma2: NaN ratio, null in JSON, a gap in the plot") {
    using namespace xddp;
    graph g = sequential({2}).then("fc1", linear({.in_features = 2, .out_features = 3})).then("relu", relu{})
                  .then("fc2", linear({.in_features = 3, .out_features = 1})).build();
    std::mt19937 rng(5);
    std::normal_distribution<float> d;
    for (node_id id : {node_id{1}, node_id{3}})
        for (const parameter& p : g.at(id).layer->parameters())
            for (std::size_t i = 0; i < element_count(p.shape); ++i) p.data[i] = d(rng);
    xt::xarray<float> x = xt::xarray<float>::from_shape({50, 2});
    for (auto& v : x) v = d(rng);
    const auto stats = collect_pattern_statistics(g, x);
    const auto a = analyse_patterns(stats, pattern_kind::linear, "tiny");
    CHECK(std::isnan(a.weights.layers[1].matrix_ratio));
    CHECK(std::isfinite(a.weights.layers[0].matrix_ratio));
    const auto j = to_json(a);
    CHECK(j["layers"][1]["W"]["ratio_matrix"].is_null());
    CHECK(j["layers"][0]["W"]["ratio_matrix"].is_number());
    // The chain matrix of a (2 x 3) and a (3 x 1) view: 3 x 3 of rank 1 at most.
    REQUIRE(a.weights.chain.size() == 1);
    CHECK(a.weights.chain[0].matrix.shape()[0] == 3);
    CHECK(a.weights.chain[0].values(1) == doctest::Approx(0.0).scale(1e-12));
    const std::string svg = pattern_ratios_svg(a);
    CHECK(svg.ends_with("</svg>\n"));
}
