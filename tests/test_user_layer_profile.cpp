// Issue 14's proof of the open layer design: two layer types defined here, outside include/xddp/, with
// their forward pass, cost, role and contribution rule, joined into a model that xddp then profiles (under
// both neuron policies, checked against a naive reference computed from the activations), captures states
// of and measures, without any library file knowing them. docs/extending.md walks through this file.

#include <algorithm>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>

#include <xddp/xddp.hpp>

namespace user {

// y = scale * tanh(x): an element-wise activation, absorbed into the layer before it like a ReLU.
struct scaled_tanh {
    static constexpr std::string_view kind = "scaled_tanh";
    static constexpr xddp::profile_role role = xddp::profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"ScaledTanh"};
    float scale = 1.7159f;

    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const { return in[0]; }
    std::vector<xddp::parameter> parameters() { return {}; }
    xddp::layer_cost cost(std::span<const xddp::shape_t> in) const { return xddp::per_output_element_cost(in[0]); }
    void forward(const xddp::tensor_ref& x, xddp::activation& y) const {
        y.resize(x.shape());
        for (std::size_t i = 0; i < x.size(); ++i) y.data()[i] = scale * std::tanh(x.data()[i]);
    }
};

// y = max(a, b) element-wise: two inputs, starts a profile layer.
struct max_merge {
    static constexpr std::string_view kind = "max_merge";
    static constexpr xddp::profile_role role = xddp::profile_role::starts_layer;

    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const {
        if (in.size() != 2 || in[0] != in[1])
            throw xddp::shape_error("max_merge: expected two inputs of one shape");
        return in[0];
    }
    std::vector<xddp::parameter> parameters() { return {}; }
    void forward(const xddp::tensor_ref& a, const xddp::tensor_ref& b, xddp::activation& y) const {
        y.resize(a.shape());
        for (std::size_t i = 0; i < a.size(); ++i) y.data()[i] = std::max(a.data()[i], b.data()[i]);
    }
};

// y = 2x, with no profile role: opaque.
struct opaque_double {
    static constexpr std::string_view kind = "opaque_double";
    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const { return in[0]; }
    std::vector<xddp::parameter> parameters() { return {}; }
    void forward(const xddp::tensor_ref& x, xddp::activation& y) const {
        y.resize(x.shape());
        for (std::size_t i = 0; i < x.size(); ++i) y.data()[i] = 2.0f * x.data()[i];
    }
};

}  // namespace user

// The rule of max_merge: an influential neuron comes wholly from the input that holds the maximum (element
// neurons: the larger element; channel neurons: the larger channel maximum), the first input on ties.
template <>
struct xddp::contribution_rule<user::max_merge> {
    template <xddp::neuron_policy P>
    static void apply(const user::max_merge&, const xddp::contribution_step& step) {
        const xddp::tensor_ref& a = step.inputs[0];
        const xddp::tensor_ref& b = step.inputs[1];
        const bool by_channel = std::same_as<P, xddp::channel_neurons> && a.dimension() == 3;
        const std::size_t plane = by_channel ? a.shape()[1] * a.shape()[2] : 1;
        for (const std::size_t n : step.neurons) {
            const float va = *std::max_element(a.data() + n * plane, a.data() + (n + 1) * plane);
            const float vb = *std::max_element(b.data() + n * plane, b.data() + (n + 1) * plane);
            step.synapses[va >= vb ? 0 : 1].push_back({n, n, 1.0});
        }
    }
};

namespace {

// input (2, 6, 6) -> conv a + scaled_tanh, conv b + relu -> max_merge -> flatten -> linear.
xddp::graph user_model() {
    xddp::graph g({2, 6, 6});
    auto a = g.add("conv_a", xddp::conv2d({.in_channels = 2, .out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}}), 0);
    a = g.add("tanh_a", user::scaled_tanh{}, a);
    auto b = g.add("conv_b", xddp::conv2d({.in_channels = 2, .out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}}), 0);
    b = g.add("relu_b", xddp::relu{}, b);
    auto m = g.add("merge", user::max_merge{}, b, a);  // inputs in the other order than their layers
    m = g.add("flatten", xddp::flatten{}, m);
    g.add("fc", xddp::linear({.in_features = 4 * 6 * 6, .out_features = 3}), m);
    xddp::seed_weights(g, 7);
    return g;
}

xt::xarray<float> normal_batch(const xddp::graph& g, std::size_t n, unsigned seed) {
    xddp::shape_t shape{n};
    shape.insert(shape.end(), g.input_shape().begin(), g.input_shape().end());
    xt::xarray<float> x = xt::zeros<float>(shape);
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    for (auto& v : x) v = nd(rng);
    return x;
}

// The naive max_merge rule from the activations of the two inputs: which input each neuron comes from.
template <xddp::neuron_policy P>
void check_merge_layer(const xddp::graph& g, const xddp::activations& acts, std::size_t sample,
                       const xddp::profile& p) {
    const auto groups = xddp::layer_groups(g);
    const auto merge = std::find_if(groups.begin(), groups.end(), [](const auto& l) { return l.kind == "max_merge"; });
    REQUIRE(merge != groups.end());
    const xddp::layer_profile& lp = p.layers.at(merge->index);
    CHECK(lp.kind == "max_merge");
    REQUIRE(lp.synapses.size() == 2);
    const std::size_t per = 4 * 6 * 6;
    // Input 0 of the node is conv_b's layer (relu_b), input 1 conv_a's (tanh_a).
    const float* from_b = acts.values[g.find("relu_b").value()].data() + sample * per;
    const float* from_a = acts.values[g.find("tanh_a").value()].data() + sample * per;
    const bool by_channel = std::same_as<P, xddp::channel_neurons>;
    const std::size_t plane = by_channel ? 36 : 1;
    std::size_t synapses = 0;
    for (const std::size_t n : lp.neurons.index) {
        if (lp.neurons.weight.empty()) break;
        float vb = -INFINITY, va = -INFINITY;
        for (std::size_t k = 0; k < plane; ++k) {
            vb = std::max(vb, from_b[n * plane + k]);
            va = std::max(va, from_a[n * plane + k]);
        }
        const std::size_t want_layer = merge->inputs[vb >= va ? 0 : 1];
        for (const xddp::synapse_set& s : lp.synapses)
            for (std::size_t i = 0; i < s.size(); ++i)
                if (s.out[i] == n) {
                    CHECK(s.from == want_layer);
                    CHECK(s.in[i] == n);
                    CHECK(s.weight[i] == 1.0);
                    ++synapses;
                }
    }
    CHECK(synapses > 0);
}

}  // namespace

TEST_CASE("a user's absorbed activation and two-input layer are grouped, profiled, captured and measured") {
    const xddp::graph g = user_model();
    const auto groups = xddp::layer_groups(g);
    // input, conv_a + tanh_a, conv_b + relu_b, merge + flatten, fc
    REQUIRE(groups.size() == 5);
    CHECK(groups[1].nodes.size() == 2);
    CHECK(groups[3].kind == "max_merge");
    CHECK(groups[3].predecessors == std::vector<std::size_t>{1, 2});
    CHECK(groups[3].inputs == std::vector<std::size_t>{2, 1});
    CHECK(groups[3].shape == xddp::shape_t{4, 6, 6});  // taken before the flatten

    const auto x = normal_batch(g, 3, 11);
    const auto acts = g.forward(x, xddp::keep::all);
    for (std::size_t sample = 0; sample < 3; ++sample) {
        for (const double threshold : {0.1, 0.5}) {
            const xddp::profile_options opt{.threshold = threshold};
            const auto pc = xddp::contribution_profile<xddp::channel_neurons>(g, groups, acts, sample, opt);
            check_merge_layer<xddp::channel_neurons>(g, acts, sample, pc);
            const auto pe = xddp::contribution_profile<xddp::element_neurons>(g, groups, acts, sample, opt);
            check_merge_layer<xddp::element_neurons>(g, acts, sample, pe);
        }
    }

    // State capture by the user's kind and by its alias.
    xddp::pipeline by_kind(g, xddp::state_capture<>({.kinds = {"scaled_tanh", "max_merge"}}));
    by_kind.run(x);
    REQUIRE(by_kind.stage<0>().points().size() == 2);
    CHECK(by_kind.stage<0>().points()[0].name == "tanh_a_post_states");
    const std::vector<std::string> attach{"ScaledTanh"};
    xddp::pipeline by_alias(g, xddp::state_capture<>(xddp::capture_options::attach_to(attach)));
    by_alias.run(x);
    CHECK(by_alias.stage<0>().points().size() == 1);

    // Metrics: the user's cost (one deeplite MAC per output element) and kind.
    const auto cost = xddp::metrics::analyze(g);
    const auto row = std::find_if(cost.layers.begin(), cost.layers.end(), [](const auto& r) { return r.kind == "scaled_tanh"; });
    REQUIRE(row != cost.layers.end());
    CHECK(row->cost.macs_deeplite == 4 * 6 * 6);
    CHECK(row->cost.activation_bytes == 4 * 6 * 6 * sizeof(float));
}

TEST_CASE("a user layer without a profile role runs everywhere and is refused by name in a profile") {
    xddp::graph g({2, 4, 4});
    g.add("conv", xddp::conv2d({.in_channels = 2, .out_channels = 2, .kernel = {1, 1}}), 0);
    g.add("double", user::opaque_double{}, 1);
    xddp::seed_weights(g, 3);
    const auto x = normal_batch(g, 1, 5);
    CHECK(g.forward(x).output().size() == 2 * 4 * 4);
    CHECK(xddp::layer_groups(g).size() == 3);
    CHECK_THROWS_WITH_AS((void)xddp::contribution_profile<xddp::element_neurons>(g, x),
                         doctest::Contains("'double' of kind opaque_double has no contribution meaning"),
                         xddp::unsupported_error);
}
