// Pattern statistics, patterns and their SVD analysis against golden/patterns (iNNvestigate 1.0.8
// semantics and Sixt et al.'s analysis, computed in float64 by the reference): patterns of every layer and
// kind in both layouts, singular values, ratios, chain matrices and products, within rtol 1e-9.

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <xtensor/xio.hpp>

#include <xddp/patterns/analysis.hpp>
#include <xddp/patterns/json.hpp>
#include <xddp/patterns/layout.hpp>
#include <xddp/patterns/plot.hpp>
#include <xddp/pipeline/pipeline.hpp>

#include "golden_patterns.hpp"

namespace {

using golden_patterns::load;

const xddp::pattern_statistics& golden_statistics() {
    static const xddp::pattern_statistics stats = [] {
        const auto g = golden_patterns::model();
        const auto x = golden_patterns::inputs();
        return xddp::collect_pattern_statistics(g, x, 32);
    }();
    return stats;
}

const nlohmann::json& summary() {
    static const nlohmann::json j = [] {
        std::ifstream f(golden_patterns::dir() / "summary.json");
        return nlohmann::json::parse(f);
    }();
    return j;
}

// |a - b| <= rtol |b| + atol_scale * max |b| over the column (patterns: column scale; arrays: whole).
template <class A, class B>
void check_close(const A& a_expr, const B& b_expr, const std::string& what, double rtol = 1e-9, double col_atol = 1e-10) {
    const xt::xarray<double> a = a_expr, b = b_expr;
    REQUIRE_MESSAGE(a.shape() == b.shape(), what << ": shape " << xt::adapt(a.shape()) << " vs " << xt::adapt(b.shape()));
    const std::size_t cols = b.dimension() >= 2 ? b.shape().back() : 1;
    std::vector<double> scale(cols, 0.0);
    for (std::size_t i = 0; i < b.size(); ++i) scale[i % cols] = std::max(scale[i % cols], std::abs(b.data()[i]));
    double worst = 0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
        const double err = std::abs(a.data()[i] - b.data()[i]) / (rtol * std::abs(b.data()[i]) + col_atol * scale[i % cols] + 1e-300);
        if (err > worst) worst = err, at = i;
    }
    CHECK_MESSAGE(worst <= 1.0, what << ": flat index " << at << " got " << a.data()[at] << ", expected " << b.data()[at]);
}

xt::xarray<double> keras(const xddp::kernel_layer& k, const xt::xtensor<double, 2>& m) {
    xt::xarray<double> out = m;
    out.reshape(k.kernel_shape);
    return out;
}

xt::xarray<double> torch(const xddp::kernel_layer& k, const xt::xtensor<double, 2>& m) {
    if (k.kind == "conv2d") return xddp::conv_matrix_to_torch(m, k.kernel_shape[2], k.kernel_shape[0], k.kernel_shape[1]);
    return xddp::linear_matrix_to_torch(m, k.flatten_source);
}

}  // namespace

TEST_CASE("pattern network: the double forward pass gives the golden float64 logits") {
    const auto g = golden_patterns::model();
    const xddp::pattern_network net(g);
    const auto x = golden_patterns::inputs();
    const auto logits = load("model_and_data/logits_f64.npy");
    double worst = 0;
    for (std::size_t b = 0; b < 16; ++b) {
        const auto out = net.forward(std::span<const float>(x.data() + b * 768, 768),
                                     [](std::size_t, const double*, const double*, std::size_t) {});
        for (std::size_t j = 0; j < 10; ++j) worst = std::max(worst, std::abs(out[j] - logits(b, j)));
    }
    CHECK(worst < 1e-13);
    REQUIRE(net.kernel_layers().size() == 5);
    CHECK(net.kernel_layers()[3].flatten_source == xddp::hwc_t{7, 7, 32});
    CHECK(net.kernel_layers()[1].rows_per_sample == 196);
}

TEST_CASE("pattern network: weights in both layouts match the golden W") {
    const auto& stats = golden_statistics();
    for (const auto& k : stats.layers()) {
        CAPTURE(k.name);
        check_close(keras(k, k.weight), load("patterns/W." + k.name + ".keras.npy"), "W keras " + k.name, 0, 0);
        check_close(torch(k, k.weight), load("patterns/W." + k.name + ".torch.npy"), "W torch " + k.name, 0, 0);
    }
}

TEST_CASE("patterns: moments and patterns of every layer and kind match the golden ones") {
    const auto& stats = golden_statistics();
    CHECK(stats.num_inputs == 512);
    for (const auto kind : {xddp::pattern_kind::linear, xddp::pattern_kind::relu}) {
        const auto patterns = xddp::estimate_patterns(stats, kind);
        const std::string kname(xddp::to_string(kind));
        for (std::size_t i = 0; i < patterns.size(); ++i) {
            const auto& k = stats.layers()[i];
            const auto& p = patterns[i];
            const std::string prefix = "patterns/" + kname + "." + k.name + ".";
            CAPTURE(prefix);
            check_close(p.count, load(prefix + "count.npy"), prefix + "count", 0, 0);
            check_close(p.mean_x, load(prefix + "mean_x.npy"), prefix + "mean_x");
            check_close(p.mean_xy, load(prefix + "mean_xy.npy"), prefix + "mean_xy");
            check_close(p.mean_y, load(prefix + "mean_y.npy"), prefix + "mean_y");
            check_close(p.denominator, load(prefix + "w_cov.npy"), prefix + "w_cov");
            check_close(keras(k, p.pattern), load(prefix + "A_keras.npy"), prefix + "A_keras");
            check_close(torch(k, p.pattern), load(prefix + "A_torch.npy"), prefix + "A_torch");
            check_close(keras(k, k.weight * p.pattern), load(prefix + "WA_keras.npy"), prefix + "WA_keras");
        }
    }
}

TEST_CASE("patterns: dead neurons, zero and negative denominators as the spec says") {
    const auto& stats = golden_statistics();
    const auto& checks = summary()["checks"];
    std::size_t seen_dead = 0, seen_negative = 0;
    for (const auto kind : {xddp::pattern_kind::linear, xddp::pattern_kind::relu}) {
        const auto patterns = xddp::estimate_patterns(stats, kind);
        for (std::size_t i = 0; i < patterns.size(); ++i) {
            const auto& k = stats.layers()[i];
            const auto& p = patterns[i];
            const auto& c = checks[std::string(xddp::to_string(kind)) + "." + k.name];
            CAPTURE(k.name);
            CHECK(p.dead == c["n_dead_count0"].get<std::size_t>());
            CHECK(p.zero_denominators == c["n_zero_denominator"].get<std::size_t>());
            CHECK(p.negative_denominators == c["n_negative_denominator"].get<std::size_t>());
            seen_dead += p.dead;
            seen_negative += p.negative_denominators;
            for (std::size_t j = 0; j < k.outputs(); ++j) {
                double diag = 0, col = 0;
                for (std::size_t r = 0; r < k.inputs(); ++r) diag += k.weight(r, j) * p.pattern(r, j), col += std::abs(p.pattern(r, j));
                if (p.count(j) == 0) {
                    // A dead neuron: no rows, zero means, zero covariance, denominator 0 divided by 1: a zero column.
                    CHECK(p.denominator(j) == 0.0);
                    CHECK(col == 0.0);
                } else if (p.denominator(j) != 0.0) {
                    // Negative denominators divide as they are: diag(W^T A) is still 1, no sign flip.
                    CHECK(diag == doctest::Approx(1.0).epsilon(1e-12));
                }
            }
        }
    }
    CHECK(seen_dead == 11);     // relu.fc1 (7) and relu.fc2 (4): the golden layers where they occur
    CHECK(seen_negative == 5);  // relu.conv3, relu.fc1 (3), relu.fc2
}

TEST_CASE("patterns: batch size and thread count do not change the statistics") {
    const auto g = golden_patterns::model();
    const auto x_all = golden_patterns::inputs();
    const xt::xarray<float> x = xt::view(x_all, xt::range(0, 40));
    const auto one = xddp::collect_pattern_statistics(g, x, 1);
    const auto seven = xddp::collect_pattern_statistics(g, x, 7);
    const auto all = xddp::collect_pattern_statistics(g, x, 40);
    // The pipeline stage, fed by the float forward pass in batches of 16, sees the same inputs.
    xddp::pipeline p(g, xddp::pattern_statistics_stage{});
    p.run(x, {.batch_size = 16});
    const auto& staged = p.stage<0>().statistics();
    REQUIRE(staged.num_inputs == 40);
    for (const auto kind : xddp::pattern_kinds) {
        const auto a = xddp::estimate_patterns(one, kind), b = xddp::estimate_patterns(seven, kind),
                   c = xddp::estimate_patterns(all, kind), d = xddp::estimate_patterns(staged, kind);
        for (std::size_t i = 0; i < a.size(); ++i) {
            CAPTURE(i);
            CHECK(xt::amax(xt::abs(a[i].pattern - b[i].pattern))() <= 1e-12);
            CHECK(xt::amax(xt::abs(a[i].pattern - c[i].pattern))() <= 1e-12);
            CHECK(xt::amax(xt::abs(a[i].pattern - d[i].pattern))() <= 1e-12);
            CHECK(xt::amax(xt::abs(a[i].mean_xy - c[i].mean_xy))() <= 1e-12);
        }
    }
    // linear = relu + relu.negative, row by row: the masks split every row in two.
    for (std::size_t i = 0; i < all.moments.size(); ++i) {
        const auto& m = all.moments[i];
        CHECK(xt::amax(xt::abs(m.count(xddp::pattern_kind::relu) + m.count(xddp::pattern_kind::relu_negative) -
                               m.count(xddp::pattern_kind::linear)))() == 0.0);
        const xt::xtensor<double, 2> split = m.sum_xy(xddp::pattern_kind::relu) + m.sum_xy(xddp::pattern_kind::relu_negative);
        const xt::xtensor<double, 2> whole = m.sum_xy(xddp::pattern_kind::linear);
        CHECK(xt::amax(xt::abs(split - whole))() <= 1e-9 * std::max(1.0, xt::amax(xt::abs(whole))()));
    }
}

TEST_CASE("svd analysis: singular values, ratios, chains and products match the golden analysis") {
    const auto& stats = golden_statistics();
    const auto& analysis_json = summary()["analysis"];
    for (const auto kind : {xddp::pattern_kind::linear, xddp::pattern_kind::relu}) {
        const auto a = xddp::analyse_patterns(stats, kind, "golden");
        const std::string kname(xddp::to_string(kind));
        struct group { std::string name; const xddp::spectrum_analysis* s; };
        std::vector<group> groups{{kname + ".A", &a.pattern_spectra}, {kname + ".WA", &a.filters}};
        if (kind == xddp::pattern_kind::linear) groups.push_back({"W", &a.weights});
        for (const auto& [name, s] : groups) {
            CAPTURE(name);
            const auto& j = analysis_json[name];
            for (std::size_t l = 0; l < s->layers.size(); ++l) {
                const std::string prefix = "svd/" + name + "." + s->layers[l].name + ".";
                check_close(s->layers[l].matrix_values, load(prefix + "sv_mat.npy"), prefix + "sv_mat", 1e-9, 1e-13);
                check_close(s->layers[l].one_by_one_values, load(prefix + "sv_1x1.npy"), prefix + "sv_1x1", 1e-9, 1e-13);
                const xt::xtensor<double, 2> view = xddp::one_by_one_view(a.layers[l],
                    name == "W" ? a.layers[l].weight : name.ends_with(".A") ? a.patterns[l].pattern
                                                                             : xt::xtensor<double, 2>(a.layers[l].weight * a.patterns[l].pattern));
                check_close(view, load(prefix + "mat1x1.npy"), prefix + "mat1x1");
                CHECK(s->layers[l].matrix_ratio == doctest::Approx(j["ratio_mat"][l].get<double>()).epsilon(1e-9));
                CHECK(s->layers[l].one_by_one_ratio == doctest::Approx(j["ratio_1x1"][l].get<double>()).epsilon(1e-9));
            }
            REQUIRE(s->chain.size() == 4);
            for (std::size_t c = 0; c < s->chain.size(); ++c) {
                const std::string prefix = "svd/" + name + ".chain" + std::to_string(c) + "_" + s->chain[c].from + "_" + s->chain[c].to + ".";
                check_close(s->chain[c].values, load(prefix + "sv.npy"), prefix + "sv", 1e-9, 1e-13);
                // Singular vectors carry a sign each: compare the chain matrix in absolute value.
                check_close(xt::abs(s->chain[c].matrix), xt::abs(load(prefix + "matrix_numpy_gesdd.npy")), prefix + "matrix", 1e-9, 1e-11);
                CHECK(s->chain[c].ratio == doctest::Approx(j["ratio_chain"][c].get<double>()).epsilon(1e-9));
            }
            CHECK(s->one_by_one_ratio_product == doctest::Approx(j["prod_ratio_1x1"].get<double>()).epsilon(1e-9));
            CHECK(s->chain_ratio_product == doctest::Approx(j["prod_ratio_chain"].get<double>()).epsilon(1e-9));
            check_close(s->product_values, load("svd/" + name + ".multidot_1x1_from_layer1.sv.npy"), name + " multidot", 1e-9, 1e-13);
            CHECK(s->product_ratio == doctest::Approx(j["multidot_1x1_from_layer1_ratio"].get<double>()).epsilon(1e-9));
        }
    }
}

TEST_CASE("report: JSON, SVG and .npy patterns carry the golden analysis") {
    const auto& stats = golden_statistics();
    const auto a = xddp::analyse_patterns(stats, xddp::pattern_kind::relu, "golden");
    const nlohmann::json j = nlohmann::json::parse(xddp::to_json(a).dump());
    CHECK(j["format"] == "xddp.patterns/1");
    CHECK(j["kind"] == "relu");
    CHECK(j["num_inputs"] == 512);
    REQUIRE(j["layers"].size() == 5);
    REQUIRE(j["chain"].size() == 4);
    const auto& golden = summary()["analysis"];
    for (std::size_t l = 0; l < 5; ++l) {
        CHECK(j["layers"][l]["W*A"]["ratio_1x1"].get<double>() == doctest::Approx(golden["relu.WA"]["ratio_1x1"][l].get<double>()).epsilon(1e-9));
        CHECK(j["layers"][l]["A"]["ratio_matrix"].get<double>() == doctest::Approx(golden["relu.A"]["ratio_mat"][l].get<double>()).epsilon(1e-9));
        CHECK(j["layers"][l]["W"]["sv_matrix"][0].get<double>() == doctest::Approx(golden["W"]["top3_sv_mat"][l][0].get<double>()).epsilon(1e-9));
    }
    CHECK(j["layers"][3]["dead"] == 7);
    CHECK(j["layers"][3]["negative_denominators"] == 3);
    for (std::size_t c = 0; c < 4; ++c)
        CHECK(j["chain"][c]["W*A"]["ratio"].get<double>() == doctest::Approx(golden["relu.WA"]["ratio_chain"][c].get<double>()).epsilon(1e-9));
    CHECK(j["products"]["W*A"]["ratio_chain"].get<double>() == doctest::Approx(golden["relu.WA"]["prod_ratio_chain"].get<double>()).epsilon(1e-9));
    CHECK(j["products"]["W"]["ratio_1x1"].get<double>() == doctest::Approx(golden["W"]["prod_ratio_1x1"].get<double>()).epsilon(1e-9));

    const auto folder = std::filesystem::temp_directory_path() / "xddp_test_patterns_arrays";
    xddp::save_pattern_arrays(folder, a);
    for (const std::string name : {"conv2", "fc1"}) {
        check_close(xddp::io::load_npy<double>(folder / (name + ".pattern.npy")), load("patterns/relu." + name + ".A_torch.npy"), name + " saved A");
        const xt::xarray<double> wa = load("patterns/W." + name + ".torch.npy") * load("patterns/relu." + name + ".A_torch.npy");
        check_close(xddp::io::load_npy<double>(folder / (name + ".filter.npy")), wa, name + " saved W*A");
    }
    std::filesystem::remove_all(folder);

    const std::string svg = xddp::pattern_ratios_svg(a);
    CHECK(svg.starts_with("<svg"));
    CHECK(svg.ends_with("</svg>\n"));
    std::size_t lines = 0;
    for (auto at = svg.find("<polyline"); at != std::string::npos; at = svg.find("<polyline", at + 1)) ++lines;
    CHECK(lines == 6);  // W and W*A per layer in two views, and along the chain
    CHECK(svg.find("conv3\xe2\x86\x92" "fc1") != std::string::npos);
    CHECK(svg.find("4.54") != std::string::npos);  // W*A's product of chain ratios, as the golden 4.5441
}
