// Pruning sensitivity against Distiller's output on the golden TinyCNN (golden/metrics/sensitivity):
// the CSVs' parameter, sparsity, top1 and top5 text exactly, loss within 1e-6 relative, and the
// pruning detail (k, threshold, zeros) exactly; plus bad inputs, an untouched model and parallel == serial.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "shared_dir.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/model/weights.hpp"
#include "xddp/model/sequential.hpp"
#include "xddp/model/zoo.hpp"
#include "xddp/pruning/report.hpp"
#include "xddp/pruning/sensitivity.hpp"

namespace {

using namespace xddp;

std::filesystem::path golden() { return shared_dir() / "golden" / "metrics" / "sensitivity"; }

struct sweep_case {
    graph model = zoo::tiny_cnn();
    xt::xarray<float> images;
    std::vector<std::int64_t> labels;
};

const sweep_case& tiny() {
    static const sweep_case c = [] {
        sweep_case g;
        load_weights(g.model, golden() / "weights");
        g.images = io::load_npy<float>(golden() / "dataset" / "x_test.npy");
        const auto y = io::load_npy<std::int64_t>(golden() / "dataset" / "y_test.npy");
        g.labels.assign(y.begin(), y.end());
        return g;
    }();
    return c;
}

std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    REQUIRE(f);
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(f, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::vector<std::string> fields;
        std::stringstream s(line);
        std::string field;
        while (std::getline(s, field, ',')) fields.push_back(field);
        rows.push_back(fields);
    }
    return rows;
}

std::vector<double> golden_levels() { return sparsity_levels(0.0, 0.9, 0.1); }

const std::vector<sensitivity_row>& sweep(prune_mode mode) {
    static std::vector<sensitivity_row> element, filter;
    auto& rows = mode == prune_mode::element ? element : filter;
    if (rows.empty()) {
        const auto& c = tiny();
        rows = sensitivity_sweep(c.model, c.images, c.labels, {.mode = mode, .levels = golden_levels(), .batch = 100});
    }
    return rows;
}

void check_against_golden(prune_mode mode) {
    const std::string tag(to_string(mode));
    const auto& rows = sweep(mode);
    const auto want = read_csv(golden() / ("sensitivity_" + tag + ".csv"));
    const auto got_text = sensitivity_csv(rows);
    std::stringstream s(got_text);
    std::vector<std::vector<std::string>> got;
    for (std::string line; std::getline(s, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::vector<std::string> fields;
        std::stringstream ls(line);
        for (std::string field; std::getline(ls, field, ',');) fields.push_back(field);
        got.push_back(fields);
    }
    REQUIRE(got.size() == want.size());
    for (std::size_t r = 0; r < want.size(); ++r) {
        CAPTURE(r);
        REQUIRE(got[r].size() == 5);
        for (int c = 0; c < 4; ++c) CHECK(got[r][c] == want[r][c]);
        if (r == 0) CHECK(got[r][4] == want[r][4]);  // the header
        else CHECK(std::stod(got[r][4]) == doctest::Approx(std::stod(want[r][4])).epsilon(1e-6));
    }
    // The pruning detail, exactly: k, threshold (as Python printed the float), zeros after masking.
    const auto detail = read_csv(golden() / ("sensitivity_" + tag + "_detail.csv"));
    REQUIRE(detail.size() == rows.size() + 1);
    CHECK(detail[0][2] == "k");
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& d = detail[r + 1];
        CAPTURE(d[0]);
        CAPTURE(d[1]);
        CHECK(rows[r].parameter == d[0]);
        CHECK(python_repr(rows[r].sparsity) == d[1]);
        CHECK(std::to_string(rows[r].pruned.k) == d[2]);
        CHECK((rows[r].pruned.threshold ? python_repr(*rows[r].pruned.threshold) : std::string("None")) == d[3]);
        CHECK(std::to_string(rows[r].pruned.zeros) == d[4]);
        CHECK(std::to_string(rows[r].result.correct1) == d[5]);
        CHECK(std::to_string(rows[r].result.correct5) == d[6]);
        CHECK(std::to_string(rows[r].result.n) == d[7]);
    }
}

}  // namespace

TEST_CASE("python_repr writes doubles as Python's repr") {
    CHECK(python_repr(0.0) == "0.0");
    CHECK(python_repr(-0.0) == "-0.0");
    CHECK(python_repr(90.0) == "90.0");
    CHECK(python_repr(100.0) == "100.0");
    CHECK(python_repr(0.1) == "0.1");
    CHECK(python_repr(3 * 0.1) == "0.30000000000000004");
    CHECK(python_repr(85.39999999999999) == "85.39999999999999");
    CHECK(python_repr(1e-05) == "1e-05");
    CHECK(python_repr(0.0001) == "0.0001");
    CHECK(python_repr(1.5e-7) == "1.5e-07");
    CHECK(python_repr(1e16) == "1e+16");
    CHECK(python_repr(1234567890123456.0) == "1234567890123456.0");
    CHECK(python_repr(-2.5) == "-2.5");
    CHECK(python_repr(1.7976931348623157e308) == "1.7976931348623157e+308");
    CHECK(python_repr(static_cast<double>(0.1097894236445427f)) == "0.1097894236445427");
}

TEST_CASE("sparsity levels as Distiller and numpy build them") {
    const auto d = distiller_sparsity_levels();
    REQUIRE(d.size() == 19);
    CHECK(d[3] == 3 * 0.05);
    CHECK(python_repr(d[18]) == "0.9");
    const auto g = parse_sparsity_levels("0:0.9:0.1");
    REQUIRE(g.size() == 10);
    CHECK(python_repr(g[3]) == "0.30000000000000004");
    CHECK(python_repr(g[6]) == "0.6000000000000001");
    CHECK(parse_sparsity_levels("0,0.5,0.9") == std::vector<double>{0, 0.5, 0.9});
    CHECK_THROWS_AS(parse_sparsity_levels("0:0.9"), value_error);
    CHECK_THROWS_AS(parse_sparsity_levels("0,x"), value_error);
    CHECK_THROWS_AS(parse_sparsity_levels("0,1.5"), value_error);
    // Bounded before any memory is spent: a step of 1e-12 would be 10^12 levels.
    CHECK_THROWS_WITH_AS(parse_sparsity_levels("0:1:1e-12"), doctest::Contains("at most"), value_error);
    CHECK_THROWS_AS(sparsity_levels(0, 1, std::numeric_limits<double>::denorm_min()), value_error);
}

TEST_CASE("element and filter pruning of one tensor follow Distiller's rules") {
    std::vector<float> w{0.5f, -0.1f, 0.1f, 0.3f, -0.2f, 0.0f, 0.7f, -0.4f};
    SUBCASE("ties at the threshold are pruned") {
        const auto d = prune_elements(w, 0.25);  // k = 2: threshold 0.1, both +-0.1 go with the 0
        CHECK(d.k == 2);
        CHECK(*d.threshold == 0.1f);
        CHECK(d.zeros == 3);
    }
    SUBCASE("zero sparsity and k = 0 prune nothing") {
        CHECK(!prune_elements(w, 0.0).threshold);
        const auto d = prune_elements(w, 0.1);  // floor(0.8) = 0: Distiller crashes, xddp prunes nothing
        CHECK(d.k == 0);
        CHECK(!d.threshold);
        CHECK(d.zeros == 1);
    }
    SUBCASE("full sparsity prunes everything") { CHECK(prune_elements(w, 1.0).zeros == 8); }
    SUBCASE("filters: n == F with s != 1 keeps one") {
        const auto d = prune_filters(w, 4, 0.99);  // floor(3.96) = 3
        CHECK(d.k == 3);
        const auto e = prune_filters(w, 2, 0.999);  // floor(1.998) = 1
        CHECK(e.k == 1);
    }
    SUBCASE("filters by mean |w|") {
        // scores: (0.5+0.1)/2 = 0.3, (0.1+0.3)/2 = 0.2, (0.2+0)/2 = 0.1, (0.7+0.4)/2 = 0.55
        const auto d = prune_filters(w, 4, 0.5);
        CHECK(d.k == 2);
        CHECK(d.zeros == 4);
        CHECK(w == std::vector<float>{0.5f, -0.1f, 0, 0, 0, 0, 0.7f, -0.4f});
    }
    CHECK_THROWS_AS(prune_elements(w, 1.5), value_error);
    CHECK_THROWS_AS(prune_elements(w, std::nan("")), value_error);
    CHECK_THROWS_AS(prune(w, {8}, prune_mode::filter, 0.5), unsupported_error);
}

TEST_CASE("the golden TinyCNN evaluates to Distiller's baseline") {
    const auto& c = tiny();
    const auto e = evaluate_classifier(c.model, c.images, c.labels, 100);
    CHECK(e.n == 500);
    CHECK(e.correct1 == 426);
    CHECK(e.correct5 == 500);
    CHECK(python_repr(e.top1) == "85.2");
    CHECK(e.loss == doctest::Approx(0.366861629486084).epsilon(1e-6));
}

TEST_CASE("element sensitivity reproduces Distiller's CSV and pruning detail") {
    check_against_golden(prune_mode::element);
}

TEST_CASE("filter sensitivity reproduces Distiller's CSV and pruning detail") {
    check_against_golden(prune_mode::filter);
}

TEST_CASE("the sweep leaves the caller's model untouched and runs the same in parallel and serially") {
    const auto& c = tiny();
    graph model = c.model;
    const auto before = model.at(*model.find("conv2")).layer->get_if<conv2d>()->weight();
    auto opts = sensitivity_options{.mode = prune_mode::element, .levels = {0.0, 0.5, 0.9}, .batch = 64};
    std::size_t calls = 0, last_total = 0;
    opts.progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        last_total = total;
        CHECK(done <= total);
    };
    const auto parallel = sensitivity_sweep(model, c.images, c.labels, opts);
    CHECK(calls == last_total);
    CHECK(model.at(*model.find("conv2")).layer->get_if<conv2d>()->weight() == before);
    opts.parallel = false;
    opts.progress = {};
    const auto serial = sensitivity_sweep(model, c.images, c.labels, opts);
    CHECK(sensitivity_csv(parallel) == sensitivity_csv(serial));
    REQUIRE(parallel.size() == 12);
    for (std::size_t i = 0; i < parallel.size(); ++i) CHECK(parallel[i].result.loss == serial[i].result.loss);
}

TEST_CASE("falling levels restart from the original weight; a named tensor only") {
    const auto& c = tiny();
    const auto rows =
        sensitivity_sweep(c.model, c.images, c.labels,
                          {.mode = prune_mode::filter, .levels = {0.5, 0.6, 0.2}, .parameters = {"conv1.weight"}});
    REQUIRE(rows.size() == 3);
    CHECK(*rows[1].pruned.threshold == 0.0f);  // 0.6 after 0.5: Distiller's cumulative copy
    CHECK(python_repr(*rows[2].pruned.threshold) == "0.1097894236445427");  // 0.2 starts afresh
    CHECK(rows[2].pruned.zeros == 9);
    CHECK_THROWS_AS(
        sensitivity_sweep(c.model, c.images, c.labels, {.mode = prune_mode::filter, .parameters = {"fc1.weight"}}),
        value_error);
}

TEST_CASE("tied class scores rank the lower class index first, as torch.argmax") {
    graph g = sequential({4}).then("fc", linear({.in_features = 4, .out_features = 10})).build();  // all logits 0
    const xt::xtensor<float, 2> x = xt::ones<float>({4, 4});
    const auto e = evaluate_classifier(g, x, std::vector<std::int64_t>{0, 4, 5, 9}, 3);
    CHECK(e.correct1 == 1);
    CHECK(e.correct5 == 2);
    CHECK(e.loss == doctest::Approx(std::log(10.0)).epsilon(1e-7));
    CHECK(python_repr(e.top1) == "25.0");
    CHECK_THROWS_AS(sensitivity_sweep(g, x, std::vector<std::int64_t>(4, 0), {.mode = prune_mode::filter}), value_error);
}

TEST_CASE("bad data sets are refused with clear errors") {
    const auto& c = tiny();
    const graph& g = c.model;
    std::vector<std::int64_t> labels = c.labels;
    SUBCASE("fewer labels than images") {
        labels.pop_back();
        CHECK_THROWS_AS(evaluate_classifier(g, c.images, labels), shape_error);
        CHECK_THROWS_AS(sensitivity_sweep(g, c.images, labels), shape_error);
    }
    SUBCASE("labels out of range") {
        labels[7] = 10;
        CHECK_THROWS_AS(evaluate_classifier(g, c.images, labels), value_error);
        labels[7] = -1;
        CHECK_THROWS_AS(evaluate_classifier(g, c.images, labels), value_error);
        CHECK_THROWS_AS(sensitivity_sweep(g, c.images, labels), value_error);
    }
    SUBCASE("non-finite images") {
        xt::xarray<float> x = c.images;
        x(3, 0, 5, 5) = std::nanf("");
        CHECK_THROWS_AS(evaluate_classifier(g, x, labels), value_error);
        x(3, 0, 5, 5) = INFINITY;
        CHECK_THROWS_AS(sensitivity_sweep(g, x, labels), value_error);
    }
    SUBCASE("images of the wrong shape") {
        xt::xarray<float> x = xt::zeros<float>({4, 3, 16, 16});
        CHECK_THROWS_AS(evaluate_classifier(g, x, std::vector<std::int64_t>(4, 0)), shape_error);
    }
    SUBCASE("bad options") {
        CHECK_THROWS_AS(evaluate_classifier(g, c.images, labels, 0), value_error);
        CHECK_THROWS_AS(sensitivity_sweep(g, c.images, labels, {.levels = {}}), value_error);
        CHECK_THROWS_AS(sensitivity_sweep(g, c.images, labels, {.levels = {1.2}}), value_error);
        // More levels than the largest weight has distinct sparsities.
        std::size_t largest = 0;
        graph copy = g;
        for (const auto& w : prunable_weights(copy, prune_mode::element)) largest = std::max(largest, element_count(w.shape));
        CHECK_THROWS_WITH_AS(sensitivity_sweep(g, c.images, labels, {.levels = std::vector<double>(largest + 2, 0.5)}),
                             doctest::Contains("at most"), value_error);
    }
}

TEST_CASE("the CSV is written as Python's csv module does and the SVG draws every tensor") {
    const auto& rows = sweep(prune_mode::filter);
    const auto path = std::filesystem::temp_directory_path() / "xddp_test_sensitivity.csv";
    save_sensitivity_csv(path, rows);
    std::ifstream f(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    CHECK(text.starts_with("parameter,sparsity,top1,top5,loss\r\nconv1.weight,0.0,85.2,100.0,0.36686"));
    std::filesystem::remove(path);
    const std::string svg = sensitivity_svg(rows, "filter");
    CHECK(svg.starts_with("<svg"));
    CHECK(svg.find("conv1.weight") != std::string::npos);
    CHECK(svg.find("conv2.weight") != std::string::npos);
    CHECK(svg.find("fc1.weight") == std::string::npos);
    CHECK(detail::csv_field("a,b") == "\"a,b\"");
}
