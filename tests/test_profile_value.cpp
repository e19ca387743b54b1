// The profile value type: totals, addition into class profiles, the dict view, on small hand-made profiles
// whose expected values are worked out in the comments.

#include <doctest/doctest.h>

#include "xddp/profile/profile.hpp"

namespace {

xddp::layer_profile input_layer(std::vector<std::size_t> index, std::vector<std::uint64_t> count) {
    xddp::layer_profile l;
    l.index = 0;
    l.name = "input";
    l.kind = "input";
    l.shape = {3, 4, 4};
    l.neurons.size = 3;
    l.neurons.index = std::move(index);
    l.neurons.count = std::move(count);
    return l;
}

xddp::layer_profile conv_layer() {
    xddp::layer_profile l;
    l.index = 1;
    l.name = "conv";
    l.kind = "conv2d";
    l.shape = {2, 4, 4};
    l.predecessors = {0};
    l.neurons.size = 2;
    l.profiled = true;
    return l;
}

// A: input neurons {0: 1, 2: 2}; conv neurons {0: 1 (w .75), 1: 1 (w .25)}; synapses (0,0) .5, (0,2) .5, (1,2) 1.
// Input counts are the column sums: neuron 0 feeds (0,0); neuron 2 feeds (0,2) and (1,2).
xddp::profile value_profile_a() {
    xddp::profile p;
    p.neuron_type = xddp::profile_neuron_type::channel;
    p.threshold = 0.1;
    p.num_inputs = 1;
    p.layers.push_back(input_layer({0, 2}, {1, 2}));
    auto l = conv_layer();
    l.neurons.index = {0, 1};
    l.neurons.count = {1, 1};
    l.neurons.weight = {0.75, 0.25};
    l.synapses.push_back({0, {0, 0, 1}, {0, 2, 2}, {1, 1, 1}, {0.5, 0.5, 1.0}});
    p.layers.push_back(l);
    return p;
}

// B: input neurons {1: 1, 2: 1}; conv neuron {1: 1 (w 1)}; synapses (1,1) .25, (1,2) .75.
xddp::profile value_profile_b() {
    xddp::profile p;
    p.neuron_type = xddp::profile_neuron_type::channel;
    p.threshold = 0.1;
    p.num_inputs = 1;
    p.layers.push_back(input_layer({1, 2}, {1, 1}));
    auto l = conv_layer();
    l.neurons.index = {1};
    l.neurons.count = {1};
    l.neurons.weight = {1.0};
    l.synapses.push_back({0, {1, 1}, {1, 2}, {1, 1}, {0.25, 0.75}});
    p.layers.push_back(l);
    return p;
}

}  // namespace

TEST_CASE("profile totals") {
    const auto a = value_profile_a();
    CHECK(a.total() == 5);         // 1 + 2 + 1 + 1
    CHECK(a.size() == 4);          // neurons with a count: 2 + 2
    CHECK(a.num_synapses() == 3);
    CHECK(a.find(1)->name == "conv");
    CHECK(a.find(5) == nullptr);
    CHECK(a.layers[1].synapses_from(0)->size() == 3);
    CHECK(a.layers[1].synapses_from(3) == nullptr);
}

TEST_CASE("profile addition: counts add, weights become count-weighted means") {
    const auto sum = value_profile_a() + value_profile_b();
    CHECK(sum.num_inputs == 2);
    CHECK(sum.neuron_type == xddp::profile_neuron_type::channel);
    // Input: 0 -> 1, 1 -> 1, 2 -> 2 + 1 = 3; no weights.
    CHECK(sum.layers[0].neurons.index == std::vector<std::size_t>{0, 1, 2});
    CHECK(sum.layers[0].neurons.count == std::vector<std::uint64_t>{1, 1, 3});
    CHECK(sum.layers[0].neurons.weight.empty());
    // Conv: neuron 0 only in A: count 1, weight .75; neuron 1: count 1 + 1 = 2, weight (.25*1 + 1*1)/2 = .625.
    const auto& n = sum.layers[1].neurons;
    CHECK(n.index == std::vector<std::size_t>{0, 1});
    CHECK(n.count == std::vector<std::uint64_t>{1, 2});
    CHECK(n.weight == std::vector<double>{0.75, 0.625});
    // Synapses merged by (out, in): (0,0) .5, (0,2) .5, (1,1) .25 (B only), (1,2) (1*1 + .75*1)/2 = .875, count 2.
    const auto& s = sum.layers[1].synapses.at(0);
    CHECK(s.out == std::vector<std::size_t>{0, 0, 1, 1});
    CHECK(s.in == std::vector<std::size_t>{0, 2, 1, 2});
    CHECK(s.count == std::vector<std::uint64_t>{1, 1, 1, 2});
    CHECK(s.weight == std::vector<double>{0.5, 0.5, 0.25, 0.875});
    CHECK(sum.total() == 8);  // 5 + 3
    CHECK(sum.size() == 5);
    CHECK(sum.num_synapses() == 4);

    // Weighted by counts: A + A + B gives neuron 1 (.25*2 + 1*1)/3 = .5.
    auto acc = value_profile_a();
    acc += value_profile_a();
    acc += value_profile_b();
    CHECK(acc.num_inputs == 3);
    CHECK(acc.layers[1].neurons.count[1] == 3);
    CHECK(acc.layers[1].neurons.weight[1] == doctest::Approx(0.5));

    // The empty profile is the identity, on either side.
    xddp::profile empty;
    CHECK(empty + value_profile_a() == value_profile_a());
    CHECK(value_profile_a() + empty == value_profile_a());
}

TEST_CASE("profile addition: mixed policies, layers in one profile only, mismatches") {
    // An element profile of the same model: input layer has 48 neurons.
    xddp::profile e;
    e.neuron_type = xddp::profile_neuron_type::element;
    e.threshold = 0.1;
    e.num_inputs = 1;
    auto in = input_layer({40}, {1});
    in.neurons.size = 48;
    e.layers.push_back(in);
    const auto mixed = value_profile_a() + e;
    CHECK(mixed.neuron_type == xddp::profile_neuron_type::mixed);
    CHECK(mixed.layers[0].neurons.size == 48);
    CHECK(mixed.layers[0].neurons.index == std::vector<std::size_t>{0, 2, 40});
    CHECK(mixed.layers.size() == 2);  // layer 1 comes from A alone, unchanged
    CHECK(mixed.layers[1] == value_profile_a().layers[1]);

    auto other_threshold = value_profile_b();
    other_threshold.threshold = 0.5;
    CHECK_THROWS_AS(value_profile_a() + other_threshold, xddp::value_error);
    auto other_kind = value_profile_b();
    other_kind.layers[1].kind = "linear";
    CHECK_THROWS_AS(value_profile_a() + other_kind, xddp::shape_error);
    auto other_size = value_profile_b();
    other_size.layers[0].neurons.size = 4;
    CHECK_THROWS_AS(value_profile_a() + other_size, xddp::shape_error);
}

TEST_CASE("dict view: (layer, index tuple) keys") {
    const auto d = value_profile_a().dict_view();
    // Channel neurons are keyed (layer, (c,)).
    CHECK(d.neuron_counts.at({0, {2}}) == 2);
    CHECK(d.neuron_counts.at({1, {0}}) == 1);
    CHECK(d.neuron_weights.at({1, {0}}) == 0.75);
    CHECK_FALSE(d.neuron_weights.contains({0, {2}}));  // the input has counts only
    CHECK(d.synapse_counts.size() == 3);
    CHECK(d.synapse_weights.at({{0, {2}}, {1, {1}}}) == 1.0);

    // Element neurons of a (C, H, W) layer are keyed (c, i, j); a vector layer's by (n,).
    xddp::profile e;
    e.neuron_type = xddp::profile_neuron_type::element;
    e.num_inputs = 1;
    auto in = input_layer({7}, {1});  // shape (3, 4, 4): 7 = 0*16 + 1*4 + 3
    in.neurons.size = 48;
    e.layers.push_back(in);
    xddp::layer_profile fc;
    fc.index = 1;
    fc.name = "fc";
    fc.kind = "linear";
    fc.shape = {5};
    fc.predecessors = {0};
    fc.profiled = true;
    fc.neurons = {5, {4}, {1}, {1.0}};
    fc.synapses.push_back({0, {4}, {7}, {1}, {1.0}});
    e.layers.push_back(fc);
    const auto de = e.dict_view();
    CHECK(de.neuron_counts.at({0, {0, 1, 3}}) == 1);
    CHECK(de.neuron_weights.at({1, {4}}) == 1.0);
    CHECK(de.synapse_counts.at({{0, {0, 1, 3}}, {1, {4}}}) == 1);
}
