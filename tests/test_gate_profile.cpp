// Profiles through the operators of modern CNNs (specs/ddp.md section 9) on a small random graph: conv +
// batch_norm + silu, a squeeze-and-excitation block (global pool, conv 1x1 + relu, conv 1x1 + sigmoid,
// gate), two branches (hard_swish, hard_sigmoid) joined by a mul with a channel_scale and a gelu absorbed
// after it, a tanh layer, then pool, flatten, linear + softmax. Under both neuron policies the gate and
// mul synapses are checked against the rules recomputed here from the activations, and every influential
// neuron's accepted weights sum to 1. State capture finds the new layers by kind and by PyTorch name.

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <xddp/device/profile.hpp>
#include <xddp/xddp.hpp>

#include "golden_profiles.hpp"

namespace {

xddp::conv2d conv(std::size_t in, std::size_t out, std::size_t k) {
    return xddp::conv2d({.in_channels = in, .out_channels = out, .kernel = {k, k}, .padding = {k / 2, k / 2}});
}

// input (3, 8, 8)
//  -> stem conv 3x3 + batch_norm + silu                                  (layer 1)
//  -> squeeze: adaptive pool 1x1 (2), conv 1x1 + relu (3), conv 1x1 + sigmoid (4)
//  -> gate(stem, sigmoid)                                                (5)
//  -> conv 3x3 + hard_swish (6), conv 1x1 + hard_sigmoid (7), both from the gate
//  -> mul(6, 7) + channel_scale + gelu                                   (8)
//  -> conv 3x3 + tanh (9) -> adaptive pool (10) + flatten -> linear + softmax (11)
xddp::graph modern_block() {
    xddp::graph g({3, 8, 8});
    auto stem = g.add("stem", conv(3, 6, 3), 0);
    xddp::batch_norm bn(6);
    bn.running_mean() = xt::xtensor<float, 1>{0.1f, -0.2f, 0.0f, 0.3f, -0.1f, 0.05f};
    bn.running_var() = xt::xtensor<float, 1>{1.2f, 0.8f, 1.0f, 0.6f, 1.5f, 0.9f};
    stem = g.add("stem_bn", std::move(bn), stem);
    stem = g.add("stem_act", xddp::silu{}, stem);
    auto squeeze = g.add("se_pool", xddp::adaptive_avg_pool2d({1, 1}), stem);
    squeeze = g.add("se_fc1", conv(6, 3, 1), squeeze);
    squeeze = g.add("se_relu", xddp::relu{}, squeeze);
    squeeze = g.add("se_fc2", conv(3, 6, 1), squeeze);
    squeeze = g.add("se_sigmoid", xddp::sigmoid{}, squeeze);
    const auto gated = g.add("se_gate", xddp::gate{}, stem, squeeze);
    auto left = g.add("left", conv(6, 6, 3), gated);
    left = g.add("left_act", xddp::hard_swish{}, left);
    auto right = g.add("right", conv(6, 6, 1), gated);
    right = g.add("right_act", xddp::hard_sigmoid{}, right);
    auto merged = g.add("merge", xddp::mul{}, right, left);  // inputs in the other order than their layers
    xddp::channel_scale scale(6);
    scale.weight() = xt::xtensor<float, 1>{1.5f, 0.5f, 2.0f, 1.0f, 0.75f, 1.25f};
    merged = g.add("merge_scale", std::move(scale), merged);
    merged = g.add("merge_act", xddp::gelu{}, merged);
    auto tail = g.add("tail", conv(6, 5, 3), merged);
    tail = g.add("tail_act", xddp::tanh{}, tail);
    tail = g.add("pool", xddp::adaptive_avg_pool2d({1, 1}), tail);
    tail = g.add("flatten", xddp::flatten{}, tail);
    tail = g.add("fc", xddp::linear({.in_features = 5, .out_features = 4}), tail);
    g.add("probabilities", xddp::softmax{}, tail);
    xddp::seed_weights(g, 17);
    return g;
}

xt::xarray<float> random_batch(std::size_t n, unsigned seed) {
    xt::xarray<float> x = xt::zeros<float>({n, std::size_t{3}, std::size_t{8}, std::size_t{8}});
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    for (auto& v : x) v = nd(rng);
    return x;
}

const xddp::layer_group& group_of(const std::vector<xddp::layer_group>& groups, const std::string& first_node) {
    const auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& l) { return l.name == first_node; });
    REQUIRE(it != groups.end());
    return *it;
}

// The out neurons of a layer's synapses: its influential neurons.
std::set<std::size_t> influential(const xddp::layer_profile& lp) {
    std::set<std::size_t> out;
    for (const auto& s : lp.synapses) out.insert(s.out.begin(), s.out.end());
    return out;
}

// The gate's rule: each influential neuron n comes wholly from the feature map (the stem's layer), (n, n),
// weight 1; the gate input's layer receives no synapse.
void check_gate(const std::vector<xddp::layer_group>& groups, const xddp::profile& p) {
    const auto& gate = group_of(groups, "se_gate");
    const auto& lp = p.layers.at(gate.index);
    CHECK(lp.kind == "gate");
    CHECK(gate.inputs == std::vector<std::size_t>{group_of(groups, "stem").index, group_of(groups, "se_fc2").index});
    const xddp::synapse_set* feature = lp.synapses_from(gate.inputs[0]);
    const xddp::synapse_set* factor = lp.synapses_from(gate.inputs[1]);
    REQUIRE(feature);
    REQUIRE(factor);
    CHECK(factor->size() == 0);
    CHECK(feature->size() > 0);
    for (std::size_t k = 0; k < feature->size(); ++k) {
        CHECK(feature->in[k] == feature->out[k]);
        CHECK(feature->weight[k] == 1.0);
        CHECK(feature->count[k] == 1);
    }
    // The gate's step-1 neurons still reach the squeeze branch through its own influence.
    CHECK(p.layers.at(gate.inputs[1]).neurons.nonzeros() > 0);
}

// The mul's rule recomputed from the tails of its two layers: the larger value wins (channel maximum or
// element), ties to the later layer.
template <xddp::neuron_policy P>
void check_mul(const xddp::graph& g, const std::vector<xddp::layer_group>& groups, const xddp::activations& acts,
               std::size_t sample, const xddp::profile& p) {
    const auto& merge = group_of(groups, "merge");
    const auto& lp = p.layers.at(merge.index);
    CHECK(lp.kind == "mul");
    const std::size_t left = group_of(groups, "left").index, right = group_of(groups, "right").index;
    REQUIRE(left < right);
    const std::size_t per = 6 * 8 * 8;
    const float* from_left = acts.values[g.find("left_act").value()].data() + sample * per;
    const float* from_right = acts.values[g.find("right_act").value()].data() + sample * per;
    const std::size_t plane = std::same_as<P, xddp::channel_neurons> ? 64 : 1;
    std::size_t synapses = 0;
    for (const xddp::synapse_set& s : lp.synapses)
        for (std::size_t k = 0; k < s.size(); ++k) {
            const std::size_t n = s.out[k];
            float vl = -INFINITY, vr = -INFINITY;
            for (std::size_t i = 0; i < plane; ++i) {
                vl = std::max(vl, from_left[n * plane + i]);
                vr = std::max(vr, from_right[n * plane + i]);
            }
            CHECK(s.from == (vl > vr ? left : right));
            CHECK(s.in[k] == n);
            CHECK(s.weight[k] == 1.0);
            ++synapses;
        }
    CHECK(synapses == influential(lp).size());
    CHECK(synapses > 0);
}

// Every influential neuron's accepted weights, over all its predecessors, sum to 1.
void check_weights_sum_to_one(const xddp::profile& p) {
    for (const xddp::layer_profile& lp : p.layers) {
        std::map<std::size_t, double> sums;
        for (const auto& s : lp.synapses)
            for (std::size_t k = 0; k < s.size(); ++k) sums[s.out[k]] += s.weight[k];
        for (const auto& [n, sum] : sums) {
            INFO("layer ", lp.index, " (", lp.kind, ") neuron ", n);
            CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
        }
    }
}

}  // namespace

TEST_CASE("profiles through silu, a squeeze-and-excitation gate, a mul of two branches and softmax") {
    const xddp::graph g = modern_block();
    const auto groups = xddp::layer_groups(g);
    REQUIRE(groups.size() == 12);
    CHECK(group_of(groups, "stem").nodes.size() == 3);        // conv + batch_norm + silu
    CHECK(group_of(groups, "se_fc2").nodes.size() == 2);      // conv + sigmoid
    CHECK(group_of(groups, "se_gate").nodes.size() == 1);
    CHECK(group_of(groups, "merge").nodes.size() == 3);       // mul + channel_scale + gelu
    CHECK(group_of(groups, "merge").inputs.size() == 2);
    CHECK(group_of(groups, "fc").nodes.size() == 2);          // linear + softmax
    CHECK(group_of(groups, "left").nodes.size() == 2);
    CHECK(group_of(groups, "right").nodes.size() == 2);

    const auto x = random_batch(3, 23);
    const auto acts = g.forward(x, xddp::keep::all);
    for (std::size_t sample = 0; sample < 3; ++sample)
        for (const double threshold : {0.1, 0.5, 1.0}) {
            const xddp::profile_options opt{.threshold = threshold};
            const auto pc = xddp::contribution_profile<xddp::channel_neurons>(g, groups, acts, sample, opt);
            check_gate(groups, pc);
            check_mul<xddp::channel_neurons>(g, groups, acts, sample, pc);
            check_weights_sum_to_one(pc);
            const auto pe = xddp::contribution_profile<xddp::element_neurons>(g, groups, acts, sample, opt);
            check_gate(groups, pe);
            check_mul<xddp::element_neurons>(g, groups, acts, sample, pe);
            check_weights_sum_to_one(pe);
        }
}

TEST_CASE("state capture finds the new activations and routing layers by kind and by PyTorch class name") {
    const xddp::graph g = modern_block();
    const auto names_of = [&](xddp::capture_options o) {
        xddp::state_capture<> s(std::move(o));
        s.start(g, 0);
        std::vector<std::string> names;
        for (const auto& point : s.points()) names.push_back(point.name);
        return names;
    };
    using names = std::vector<std::string>;
    CHECK(names_of({.kinds = {"silu", "sigmoid", "gate", "hard_swish", "hard_sigmoid", "mul", "channel_scale", "gelu",
                              "tanh", "softmax"}}) ==
          names{"stem_act_post_states", "se_sigmoid_post_states", "se_gate_post_states", "left_act_post_states",
                "right_act_post_states", "merge_post_states", "merge_scale_post_states", "merge_act_post_states",
                "tail_act_post_states", "probabilities_post_states"});
    const std::vector<std::string> torch_names{"SiLU", "Sigmoid", "Hardswish", "Hardsigmoid", "GELU", "Tanh", "Softmax"};
    CHECK(names_of(xddp::capture_options::attach_to(torch_names)) ==
          names{"stem_act_post_states", "se_sigmoid_post_states", "left_act_post_states", "right_act_post_states",
                "merge_act_post_states", "tail_act_post_states", "probabilities_post_states"});
    xddp::pipeline run(g, xddp::state_capture<>({.kinds = {"gate", "mul"}}));
    run.run(random_batch(2, 5));
    CHECK(run.stage<0>().points().size() == 2);
}

TEST_CASE("the new operators under cuda_emulated: forward and both profiles equal the host's") {
    const xddp::graph g = modern_block();
    const xt::xarray<float> x = random_batch(2, 41);
    const xddp::activations host = g.forward(x);
    const xddp::activations dev = xddp::forward<xddp::cuda_emulated>(g, x);
    REQUIRE(dev.output().shape() == host.output().shape());
    CHECK(xt::allclose(dev.output(), host.output(), 1e-5, 1e-6));
    const xt::xarray<float> one = xt::view(x, xt::range(0, 1));
    for (const double threshold : {0.3, 0.8}) {
        xddp::profile_options opt;
        opt.threshold = threshold;
        golden::compare_profiles(xddp::contribution_profile<xddp::channel_neurons, xddp::cuda_emulated>(g, one, opt),
                                 xddp::contribution_profile<xddp::channel_neurons>(g, one, opt), "channel");
        golden::compare_profiles(xddp::contribution_profile<xddp::element_neurons, xddp::cuda_emulated>(g, one, opt),
                                 xddp::contribution_profile<xddp::element_neurons>(g, one, opt), "element");
    }
}
