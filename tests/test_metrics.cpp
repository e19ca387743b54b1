// Model metrics against golden/metrics (deeplite-profiler and torchvision): MACs in both conventions,
// parameters, model size, peak activation bytes and deeplite's memory footprint for every golden model;
// resnet18's per-layer MACs and deeplite's per-node memory column.

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <xddp/metrics/json.hpp>
#include <xddp/metrics/metrics.hpp>
#include <xddp/model/seeded_weights.hpp>
#include <xddp/model/zoo.hpp>

#include "shared_dir.hpp"
#include "user_layer.hpp"

namespace {

nlohmann::json load_golden(const char* file) {
    std::ifstream in(shared_dir() / "golden" / "metrics" / file);
    REQUIRE_MESSAGE(in, "missing golden file " << file);
    return nlohmann::json::parse(in);
}

bool relatively_close(double a, double b, double rel = 1e-9) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)); }

// Our zoo name for each golden model (the golden "lenet5" is the classic LeNet-5).
const std::map<std::string, std::string> zoo_names = {{"resnet18", "resnet18"}, {"resnet50", "resnet50"},
                                                      {"vgg16", "vgg16"},       {"alexnet", "alexnet"},
                                                      {"mobilenet_v2", "mobilenet_v2"}, {"lenet5", "lenet5_classic"}};

}  // namespace

TEST_CASE("metrics: every golden model's static metrics match model_stats.json") {
    const auto golden = load_golden("model_stats.json");
    for (const auto& [golden_name, zoo_name] : zoo_names) {
        CAPTURE(golden_name);
        const auto& g = golden.at(golden_name);
        const auto model = xddp::zoo::build(zoo_name);
        const auto cost = xddp::metrics::analyze(model, g.at("input_shape")[0].get<std::size_t>());
        CHECK(cost.params() == g.at("trainable_params").get<std::uint64_t>());
        CHECK(relatively_close(cost.model_size_mib(), g.at("model_size_MiB_fp32").get<double>()));
        CHECK(cost.macs(xddp::mac_convention::common) == g.at("macs_common_conv_linear").get<std::uint64_t>());
        CHECK(cost.macs(xddp::mac_convention::deeplite) == g.at("deeplite_head").at("macs").get<std::uint64_t>());
        CHECK(cost.peak_activation_bytes == g.at("deeplite_head").at("peak_activation_bytes").get<std::uint64_t>());
        CHECK(relatively_close(cost.memory_footprint_mib(), g.at("deeplite_head").at("memory_footprint_MB").get<double>()));
    }
}

namespace {

std::string json_shape(const xddp::shape_t& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

// Our node name as deeplite's scope: the inner ReLU uses are torchvision's one "relu" module, and the
// residual add belongs to its block.
std::string scope_of(std::string name) {
    for (const char* inner : {".relu_inner1", ".relu_inner2", ".relu_inner"})
        if (name.ends_with(inner)) return name.substr(0, name.size() - std::string(inner).size()) + ".relu";
    if (name.ends_with(".resnetadd")) return name.substr(0, name.size() - 10);
    return name;
}

}  // namespace

TEST_CASE("metrics: per-layer MACs in the common convention match torchvision's conv and linear layers") {
    const auto golden = load_golden("model_stats.json");
    for (const auto& [golden_name, zoo_name] : {std::pair{"resnet18", "resnet18"}, std::pair{"lenet5", "lenet5_classic"}}) {
        CAPTURE(golden_name);
        const auto cost = xddp::metrics::analyze(xddp::zoo::build(zoo_name));
        std::vector<const xddp::metrics::layer_row*> ours;
        for (const auto& r : cost.layers)
            if (r.cost.macs_common > 0) ours.push_back(&r);
        const auto& rows = golden.at(golden_name).at("per_layer_common_macs");
        REQUIRE(ours.size() == rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            CAPTURE(i);
            CHECK(ours[i]->name == rows[i].at("name").get<std::string>());
            CHECK(ours[i]->cost.macs_common == rows[i].at("macs").get<std::uint64_t>());
            CHECK(ours[i]->output_shape == rows[i].at("ofm").get<xddp::shape_t>());
            CHECK(xddp::element_count(ours[i]->input_shapes[0]) == xddp::element_count(rows[i].at("ifm").get<xddp::shape_t>()));
            const std::uint64_t weights = rows[i].at("weights").get<std::uint64_t>();
            const std::uint64_t bias = ours[i]->output_shape[1];  // lenet5's layers have biases, resnet18's convs none
            CHECK((ours[i]->cost.params == weights || ours[i]->cost.params == weights + bias));
        }
    }
}

TEST_CASE("metrics: per-layer MACs in the deeplite convention match its hooks, one row per use") {
    const auto golden = load_golden("model_stats.json");
    for (const auto& [golden_name, zoo_name] : {std::pair{"resnet18", "resnet18"}, std::pair{"lenet5", "lenet5_classic"}}) {
        CAPTURE(golden_name);
        const auto cost = xddp::metrics::analyze(xddp::zoo::build(zoo_name));
        std::vector<const xddp::metrics::layer_row*> ours;  // deeplite's hooks see no add, flatten or dropout
        for (const auto& r : cost.layers)
            if (r.kind != "add" && r.kind != "flatten" && r.kind != "dropout")
                ours.push_back(&r);
        const auto& rows = golden.at(golden_name).at("per_layer_deeplite_head_reimpl_hooks");
        REQUIRE(ours.size() == rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            CAPTURE(i);
            CHECK(scope_of(ours[i]->name) == rows[i][0].get<std::string>());
            CHECK(ours[i]->cost.macs_deeplite == rows[i][2].get<std::uint64_t>());
        }
    }
}

TEST_CASE("metrics: resnet18's live activation bytes per node match deeplite's layer-wise Memory column") {
    const auto rows = load_golden("resnet18_deeplite_layers.json");
    const auto cost = xddp::metrics::analyze(xddp::zoo::build("resnet18"));
    std::size_t mine = 0, matched = 0;
    for (const auto& row : rows) {
        const auto scope = row.at("scope").get<std::string>();
        if (scope.empty()) continue;  // the functional torch.flatten: our linear flattens by itself
        CAPTURE(row.at("node").get<std::string>());
        REQUIRE(mine < cost.layers.size());
        const auto& r = cost.layers[mine++];
        CHECK(scope_of(r.name) == scope);
        CHECK("[" + json_shape(r.output_shape) + "]" == row.at("output_shape").get<std::string>());
        CHECK(r.live_bytes == row.at("ram_bytes").get<std::uint64_t>());
        ++matched;
    }
    CHECK(mine == cost.layers.size());
    CHECK(matched == 68);
    CHECK(cost.peak_node == "bn1");
}

TEST_CASE("metrics: costs scale with the batch; a custom layer without cost() costs only its output") {
    const auto g = xddp::zoo::build("lenet5_classic");
    const auto one = xddp::metrics::analyze(g, 1), four = xddp::metrics::analyze(g, 4);
    CHECK(four.macs(xddp::mac_convention::common) == 4 * one.macs(xddp::mac_convention::common));
    CHECK(four.macs(xddp::mac_convention::deeplite) == 4 * one.macs(xddp::mac_convention::deeplite));
    CHECK(four.params() == one.params());
    CHECK(four.peak_activation_bytes == 4 * one.peak_activation_bytes);
    CHECK_THROWS_AS(xddp::metrics::analyze(g, 0), xddp::value_error);

    xddp::graph custom({4});
    custom.add("double", user_scale_layer{}, custom.input());
    custom.add("relu", xddp::relu{}, custom.output());
    const auto c = xddp::metrics::analyze(custom);
    CHECK(c.layers[0].cost.macs_deeplite == 0);
    CHECK(c.layers[0].cost.activation_bytes == 16);
    CHECK(c.layers[1].cost.macs_deeplite == 4);
    CHECK(c.peak_activation_bytes == 16);  // the final output is not counted
}

namespace {

xddp::metrics::metric_info user_metric(std::string key) {
    return {.key = std::move(key), .name = "User", .description = "a user metric", .unit = "u"};
}

}  // namespace

TEST_CASE("metrics registry: override rules, caching, one function filling several keys") {
    const auto g = xddp::zoo::build("lenet5_classic");
    xddp::metrics::profiler p(g, "lenet5");
    using xddp::metrics::metric_values;
    using xddp::metrics::registration;

    SUBCASE("built-ins: the static function fills five keys in one call") {
        CHECK(p.value("params") == 61706);
        CHECK(p.cached("macs"));
        CHECK(p.cached("peak_activation_bytes"));
        CHECK_FALSE(p.cached("latency_ms"));
        CHECK(p.info("macs").scaling == 1e-9);
        CHECK_THROWS_AS(p.value("eval_metric"), xddp::value_error);
        CHECK_THROWS_AS(p.value("no_such_key"), xddp::value_error);
    }
    SUBCASE("values are cached until asked to recompute") {
        int calls = 0;
        p.register_function({user_metric("a"), user_metric("b")}, [&](const xddp::metrics::profiler&, metric_values& out) {
            ++calls;
            out.set("a", 1.0 * calls);
            out.set("b", 10.0 * calls);
        });
        CHECK(p.value("a") == 1.0);
        CHECK(p.value("b") == 10.0);
        CHECK(calls == 1);
        CHECK(p.value("b", true) == 20.0);
        CHECK(p.value("a") == 2.0);
        CHECK(calls == 2);
        p.clear_cache();
        CHECK(p.value("a") == 3.0);
    }
    SUBCASE("a later registration replaces an earlier one; the earlier keeps its other keys") {
        p.register_function({user_metric("a"), user_metric("b")}, [](const xddp::metrics::profiler&, metric_values& out) {
            out.set("a", 1.0);
            out.set("b", 2.0);
        });
        CHECK(p.value("a") == 1.0);
        p.register_function({user_metric("a")}, [](const xddp::metrics::profiler&, metric_values& out) { out.set("a", 5.0); });
        CHECK(p.value("a") == 5.0);
        CHECK(p.value("b") == 2.0);
        // a user function may replace a built-in key
        p.register_function({user_metric("macs")}, [](const xddp::metrics::profiler&, metric_values& out) { out.set("macs", 7.0); });
        CHECK(p.value("macs") == 7.0);
        CHECK(p.value("params") == 61706);
    }
    SUBCASE("an override stays against later plain registrations; two overrides are an error") {
        p.register_function({user_metric("a")}, [](const xddp::metrics::profiler&, metric_values& out) { out.set("a", 1.0); },
                            registration::override_);
        p.register_function({user_metric("a")}, [](const xddp::metrics::profiler&, metric_values& out) { out.set("a", 2.0); });
        CHECK(p.value("a") == 1.0);
        CHECK_THROWS_AS(p.register_function({user_metric("a")},
                                            [](const xddp::metrics::profiler&, metric_values& out) { out.set("a", 3.0); },
                                            registration::override_),
                        xddp::value_error);
        CHECK(p.value("a", true) == 1.0);
    }
    SUBCASE("a function that does not set its key is an error") {
        p.register_function({user_metric("a")}, [](const xddp::metrics::profiler&, metric_values&) {});
        CHECK_THROWS_AS(p.value("a"), xddp::value_error);
    }
    SUBCASE("user keys come after the built-ins, in registration order") {
        p.register_function({user_metric("z")}, [](const xddp::metrics::profiler&, metric_values& out) { out.set("z", 0.0); });
        const auto keys = xddp::metrics::default_keys(p, false);
        CHECK(keys.back() == "z");
        CHECK(keys.front() == "model_size_mib");
    }
}

TEST_CASE("metrics: latency and the timed evaluation metric") {
    auto g = xddp::zoo::build("lenet5_classic");
    xddp::seed_weights(g, 0);
    const auto s = xddp::metrics::measure_latency(g, {.warmup = 1, .repeats = 3, .batch = 2});
    CHECK(s.median_ms > 0);
    CHECK(s.min_ms <= s.median_ms);
    CHECK(s.median_ms <= s.max_ms);
    CHECK(s.threads >= 1);
    CHECK(s.repeats == 3);

    xddp::metrics::data_split data;
    data.inputs = xt::zeros<float>({7, 1, 28, 28});
    xddp::splitmix64 rng(3);
    for (float& v : data.inputs) v = rng.uniform(1.0f);
    const auto y = g(data.inputs);
    for (std::size_t i = 0; i < 7; ++i) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < 10; ++c)
            if (y(i, c) > y(i, best)) best = c;
        data.labels.push_back(i < 4 ? static_cast<std::int64_t>(best) : static_cast<std::int64_t>((best + 1) % 10));
    }
    CHECK(xddp::metrics::top_k_accuracy(g, data, 1, 3) == doctest::Approx(100.0 * 4 / 7));
    CHECK(xddp::metrics::top_k_accuracy(g, data, 10) == 100.0);
    CHECK(xddp::metrics::top_k_accuracy(g, data, 5) >= xddp::metrics::top_k_accuracy(g, data, 1));

    xddp::metrics::profiler p(g, "lenet5", {.latency = {.warmup = 0, .repeats = 2}});
    p.set_evaluation(data, xddp::metrics::top1(), "Top-1 Accuracy");
    CHECK(p.value("eval_metric") == doctest::Approx(100.0 * 4 / 7));
    CHECK(p.value("inference_time_s") >= 0);
    CHECK(p.value("latency_ms") > 0);
    CHECK(p.info("eval_metric").label() == "Top-1 Accuracy (%)");
}

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

bool contains(const std::vector<std::string>& lines, const std::string& l) {
    return std::find(lines.begin(), lines.end(), l) != lines.end();
}

}  // namespace

TEST_CASE("metrics: status and compare tables reproduce deeplite's display where it is deterministic") {
    std::ifstream in(shared_dir() / "golden" / "metrics" / "deeplite_display_resnet18.txt");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const auto golden = lines_of(text.str());

    const auto g = xddp::zoo::build("resnet18");
    const xddp::metrics::profiler_options deeplite{.convention = xddp::mac_convention::deeplite};
    xddp::metrics::profiler a(g, "resnet18-clone", deeplite), b(g, "resnet18", deeplite);
    const auto fourty_two = [](const xddp::graph&, const xddp::metrics::data_split&) { return 42.0; };
    a.set_evaluation({}, fourty_two);
    b.set_evaluation({}, fourty_two);
    const std::vector<std::string> keys = {"eval_metric", "model_size_mib", "macs", "params", "memory_footprint_mib"};

    std::ostringstream compare;
    xddp::metrics::print_compare(compare, a, b, keys, "Deeplite Profiler", "TorchBackend");
    const auto ours = lines_of(compare.str());
    REQUIRE(ours.size() > 11);
    for (std::size_t i = 0; i < 11; ++i) {  // rules, title, header, the five rows, rule
        CAPTURE(ours[i]);
        CHECK(contains(golden, ours[i]));
    }
    CHECK(contains(ours, "|     Computational Complexity (GigaMACs) |                     1.00x|                    1.8222|                    1.8222|"));

    std::ostringstream status;
    xddp::metrics::print_status(status, b, keys, "Deeplite Profiler", "TorchBackend");
    const auto one = lines_of(status.str());
    for (std::size_t i = 0; i < 11; ++i) {
        CAPTURE(one[i]);
        CHECK(contains(golden, one[i]));
    }
    CHECK(contains(golden, one[12]));  // "Note: "
    CHECK(contains(golden, one[13]));  // the evaluation metric's note

    // a difference is a - b; a ratio b / a
    CHECK(a.info("eval_metric").compare(40.0, 42.0) == -2.0);
    CHECK(a.info("latency_ms").compare(83.9794, 102.4014) == doctest::Approx(1.2194).epsilon(1e-4));
}

TEST_CASE("metrics: JSON keeps values unscaled, MACs as an integer count") {
    const auto g = xddp::zoo::build("resnet18");
    xddp::metrics::profiler p(g, "resnet18", {.convention = xddp::mac_convention::common});
    const auto keys = xddp::metrics::default_keys(p, false);
    const auto j = xddp::metrics::to_json(p, keys);
    CHECK(j.at("convention") == "common");
    bool saw_macs = false;
    for (const auto& m : j.at("metrics"))
        if (m.at("key") == "macs") {
            saw_macs = true;
            CHECK(m.at("value").is_number_integer());
            CHECK(m.at("value").get<std::uint64_t>() == 1814073344);
            CHECK(m.at("better") == "lower");
        }
    CHECK(saw_macs);
    for (const auto& m : j.at("metrics"))
        if (m.at("key") == "model_size_mib" || m.at("key") == "memory_footprint_mib") CHECK(m.at("value").is_number_float());
    CHECK(j.at("layers").size() == g.size() - 1);
    CHECK(j.at("layers")[0].at("name") == "conv1");
}

TEST_CASE("metrics: the layer-wise table lists every node with its shapes, costs and live bytes") {
    const auto cost = xddp::metrics::analyze(xddp::zoo::build("resnet18"));
    std::ostringstream out;
    xddp::metrics::print_layers(out, cost, xddp::mac_convention::deeplite);
    const auto lines = lines_of(out.str());
    REQUIRE(lines.size() == cost.layers.size() + 4);  // header, rule, rows, rule, total
    CHECK(lines[0].starts_with("Layer"));
    CHECK(lines[0].find("MACs (deeplite)") != std::string::npos);
    CHECK(lines[2].starts_with("conv1 "));
    CHECK(lines[2].find("(1, 3, 224, 224)") != std::string::npos);
    CHECK(lines[2].find("118816768") != std::string::npos);
    CHECK(lines.back().starts_with("total"));
    CHECK(lines.back().find("1822152192") != std::string::npos);
    CHECK(lines.back().find("peak 6422528") != std::string::npos);
}

TEST_CASE("metrics: a new input shape re-derives every cost; one that does not fit names the first layer rejecting it") {
    // conv 3->8 k3 p1, pool 2, adaptive 1x1, linear 8->5, built at 3x8x8 and given 3x16x16.
    xddp::graph g = xddp::sequential({3, 8, 8})
                        .then("conv", xddp::conv2d({.in_channels = 3, .out_channels = 8, .kernel = {3, 3}, .padding = {1, 1}}))
                        .then("pool", xddp::max_pool2d({.kernel = {2, 2}}))
                        .then("gap", xddp::adaptive_avg_pool2d({1, 1}))
                        .then("flatten", xddp::flatten{})
                        .then("fc", xddp::linear({.in_features = 8, .out_features = 5}))
                        .build();
    g.set_input_shape({3, 16, 16});
    CHECK(g.input_shape() == xddp::shape_t{3, 16, 16});
    CHECK(g[*g.find("pool")].shape == xddp::shape_t{8, 8, 8});
    const auto cost = xddp::metrics::analyze(g, 2);
    // By hand: conv 2 x 8 x 16 x 16 outputs x 27 MACs; linear 2 x 8 x 5.
    CHECK(cost.macs(xddp::mac_convention::common) == 2 * 8 * 16 * 16 * 27 + 2 * 8 * 5);
    CHECK(cost.layers[0].output_shape == xddp::shape_t{2, 8, 16, 16});
    const xddp::activation x = xt::ones<float>({2, 3, 16, 16});
    CHECK(g(x).shape() == std::vector<std::size_t>{2, 5});

    // 3x1x1: the 3x3 conv with padding 1 still fits, the 2x2 pool does not; the graph stays as it was.
    CHECK_THROWS_WITH_AS(g.set_input_shape({3, 1, 1}),
                         doctest::Contains("input shape (3, 1, 1) does not fit the model: layer 'pool'"), xddp::shape_error);
    CHECK(g.input_shape() == xddp::shape_t{3, 16, 16});
    CHECK_THROWS_WITH_AS(g.set_input_shape({4, 16, 16}), doctest::Contains("layer 'conv'"), xddp::shape_error);
    CHECK_THROWS_AS(g.set_input_shape({}), xddp::shape_error);

    // vgg16 at 16x16: four 2x2 pools leave 1x1, and the fifth (features.30) is the first layer to reject it.
    xddp::graph vgg = xddp::zoo::build("vgg16");
    CHECK_THROWS_WITH_AS(vgg.set_input_shape({3, 16, 16}), doctest::Contains("layer 'features.30'"), xddp::shape_error);
    vgg.set_input_shape({3, 32, 32});  // the adaptive pool takes any size
    CHECK(xddp::metrics::analyze(vgg).layers.back().output_shape == xddp::shape_t{1, 1000});
}
