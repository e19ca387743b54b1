// Contribution profiles against DeepDataProfiler's golden files (shared/golden/ddp): tiny_vgg and
// tiny_resnet, channel and element neurons, thresholds 0.1 and 0.5, inputs x0, x1 and their sum; the
// jaccard metrics of metrics_x0_x1.json and the totals of summary.json.

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xbuilder.hpp>

#include "golden_profiles.hpp"
#include "shared_dir.hpp"
#include "read_json.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/model/layer_groups.hpp"
#include "xddp/model/weights.hpp"
#include "xddp/model/zoo.hpp"
#include "xddp/profile/backtrace.hpp"
#include "xddp/profile/jaccard.hpp"
#include "xddp/profile/json.hpp"

namespace {

using golden::case_dir;
using golden::compare_profiles;
using golden::golden_model;

struct golden_case {
    std::string model;
    std::string policy;
    double threshold;
    std::string key() const { return policy + "_t" + (threshold == 0.1 ? "0.1" : "0.5"); }
};

template <xddp::neuron_policy P>
xddp::profile profile_of(const xddp::graph& g, const std::vector<xddp::layer_group>& layers,
                         const xddp::activations& acts, std::size_t sample, double threshold) {
    xddp::profile_options opt;
    opt.threshold = threshold;
    return xddp::contribution_profile<P>(g, layers, acts, sample, opt);
}

xddp::profile profile_of(const std::string& policy, const xddp::graph& g, const std::vector<xddp::layer_group>& layers,
                         const xddp::activations& acts, std::size_t sample, double threshold) {
    return policy == "channel" ? profile_of<xddp::channel_neurons>(g, layers, acts, sample, threshold)
                               : profile_of<xddp::element_neurons>(g, layers, acts, sample, threshold);
}

}  // namespace

TEST_CASE("golden DDP profiles: tiny_vgg and tiny_resnet, both policies, thresholds 0.1 and 0.5") {
    int matched = 0;
    for (const std::string model : {"tiny_vgg", "tiny_resnet"}) {
        const xddp::graph g = golden_model(model);
        const auto layers = xddp::layer_groups(g);
        const auto x0 = xddp::io::load_npy<float>(case_dir(model) / "inputs" / "x0.npy");
        const auto x1 = xddp::io::load_npy<float>(case_dir(model) / "inputs" / "x1.npy");
        const auto a0 = g.forward(x0, xddp::keep::all);
        const auto a1 = g.forward(x1, xddp::keep::all);
        const nlohmann::json metrics = read_json(case_dir(model) / "metrics_x0_x1.json");
        const nlohmann::json summary = read_json(case_dir(model) / "summary.json");
        for (const std::string policy : {"channel", "element"})
            for (const double threshold : {0.1, 0.5}) {
                const golden_case gc{model, policy, threshold};
                const std::string key = gc.key();
                INFO(model << " " << key);
                const xddp::profile p0 = profile_of(policy, g, layers, a0, 0, threshold);
                const xddp::profile p1 = profile_of(policy, g, layers, a1, 0, threshold);
                const xddp::profile sum = p0 + p1;
                const std::pair<const char*, const xddp::profile*> mine[] = {{"x0", &p0}, {"x1", &p1}, {"sum", &sum}};
                for (const auto& [input, p] : mine) {
                    const auto file = case_dir(model) / ("profile_" + key + "_" + input + ".json");
                    const xddp::profile golden = xddp::load_profile_json(file);
                    compare_profiles(*p, golden, file.filename().string());
                    // dict views agree too (P5: the add layer's blocks split by predecessor).
                    CHECK(p->dict_view().synapse_counts == golden.dict_view().synapse_counts);
                    CHECK(p->dict_view().neuron_counts == golden.dict_view().neuron_counts);
                    ++matched;

                    const auto& s = summary["profiles"][key + "_" + input];
                    CHECK(p->total() == s["total"].get<std::uint64_t>());
                    CHECK(p->size() == s["size"].get<std::size_t>());
                    CHECK(p->num_synapses() == s["num_synapses"].get<std::size_t>());
                    CHECK(p->num_inputs == s["num_inputs"].get<std::size_t>());
                    CHECK(std::string(xddp::to_string(p->neuron_type)) == s["neuron_type"].get<std::string>());
                }

                // metrics_x0_x1.json: DDP's jaccard, avg_jaccard, instance_jaccard and per-layer values.
                const nlohmann::json& m = metrics[key];
                using xddp::profile_part;
                const std::pair<const char*, profile_part> parts[] = {{"neuron", profile_part::neurons},
                                                                      {"synapse", profile_part::synapses}};
                for (const auto& [name, part] : parts) {
                    const std::string n = name;
                    INFO(n);
                    CHECK(std::abs(xddp::jaccard(p0, p1, part) - m["jaccard_" + n].get<double>()) <= 1e-12);
                    CHECK(std::abs(xddp::avg_jaccard(p0, p1, part) - m["avg_jaccard_" + n].get<double>()) <= 1e-12);
                    CHECK(std::abs(xddp::instance_jaccard(p0, p1, part) - m["instance_jaccard_" + n + "_x0_in_x1"].get<double>()) <= 1e-12);
                    CHECK(std::abs(xddp::instance_jaccard(p1, p0, part) - m["instance_jaccard_" + n + "_x1_in_x0"].get<double>()) <= 1e-12);
                    CHECK(std::abs(xddp::instance_jaccard(p0, sum, part) - m["instance_jaccard_" + n + "_x0_in_sum"].get<double>()) <= 1e-12);
                    CHECK(std::abs(xddp::instance_jaccard(p1, sum, part) - m["instance_jaccard_" + n + "_x1_in_sum"].get<double>()) <= 1e-12);
                    const auto per_layer = xddp::layer_jaccards(p0, p1, part);
                    const nlohmann::json& golden_layers = m["jaccard_simple_per_layer_" + n];
                    CHECK(per_layer.size() == golden_layers.size());
                    for (const auto& [layer, value] : per_layer) {
                        INFO("layer " << layer);
                        REQUIRE(golden_layers.contains(std::to_string(layer)));
                        CHECK(std::abs(value - golden_layers[std::to_string(layer)].get<double>()) <= 1e-12);
                    }
                }
            }
        // The predictions the profiles were made for.
        const auto predictions = summary["predictions"].get<std::vector<std::size_t>>();
        const xddp::activations* acts[] = {&a0, &a1};
        for (std::size_t i = 0; i < 2; ++i) {
            const auto& logits = acts[i]->output();
            CHECK(static_cast<std::size_t>(std::max_element(logits.begin(), logits.end()) - logits.begin()) == predictions[i]);
        }
    }
    CHECK(matched == 24);
}

TEST_CASE("golden DDP profiles from one batched forward pass, one profile per sample") {
    for (const std::string model : {"tiny_vgg", "tiny_resnet"}) {
        const xddp::graph g = golden_model(model);
        const auto layers = xddp::layer_groups(g);
        const auto x0 = xddp::io::load_npy<float>(case_dir(model) / "inputs" / "x0.npy");
        const auto x1 = xddp::io::load_npy<float>(case_dir(model) / "inputs" / "x1.npy");
        xt::xarray<float> batch = xt::concatenate(xt::xtuple(x0, x1), 0);
        const auto acts = g.forward(batch, xddp::keep::all);
        for (const std::string policy : {"channel", "element"}) {
            const xddp::profile p0 = profile_of(policy, g, layers, acts, 0, 0.5);
            const xddp::profile p1 = profile_of(policy, g, layers, acts, 1, 0.5);
            const std::string key = policy + "_t0.5";
            compare_profiles(p0, xddp::load_profile_json(case_dir(model) / ("profile_" + key + "_x0.json")), model + " batched x0 " + key);
            compare_profiles(p1, xddp::load_profile_json(case_dir(model) / ("profile_" + key + "_x1.json")), model + " batched x1 " + key);
            compare_profiles(p0 + p1, xddp::load_profile_json(case_dir(model) / ("profile_" + key + "_sum.json")), model + " batched sum " + key);
        }
    }
}

TEST_CASE("golden profiles survive a JSON round trip exactly") {
    const xddp::graph g = golden_model("tiny_resnet");
    const auto x0 = xddp::io::load_npy<float>(case_dir("tiny_resnet") / "inputs" / "x0.npy");
    xddp::profile_options opt;
    opt.threshold = 0.5;
    const xddp::profile p = xddp::contribution_profile<xddp::element_neurons>(g, x0, opt);
    CHECK(xddp::parse_profile_json(xddp::to_json(p)) == p);
    // The golden files themselves read and write back to the same values.
    const xddp::profile golden = xddp::load_profile_json(case_dir("tiny_resnet") / "profile_channel_t0.5_sum.json");
    CHECK(xddp::parse_profile_json(xddp::to_json(golden)) == golden);
}
