// Jaccard similarities of profiles (specs/ddp.md section 7) on hand-made profiles; the expected values are
// worked out in the comments. The golden values of DDP's metrics are checked in test_profile_golden.cpp.

#include <doctest/doctest.h>

#include <vector>

#include "xddp/profile/comparable.hpp"
#include "xddp/profile/jaccard.hpp"

namespace {

xddp::layer_profile layer(std::size_t index, std::string kind, std::vector<std::size_t> preds, std::size_t size,
                          std::vector<std::size_t> neurons) {
    xddp::layer_profile l;
    l.index = index;
    l.name = kind + std::to_string(index);
    l.kind = std::move(kind);
    l.shape = {size, 2, 2};
    l.predecessors = std::move(preds);
    l.neurons.size = size;
    l.neurons.index = std::move(neurons);
    l.neurons.count.assign(l.neurons.index.size(), 1);
    return l;
}

xddp::synapse_set synapses(std::size_t from, std::vector<std::size_t> out, std::vector<std::size_t> in) {
    xddp::synapse_set s;
    s.from = from;
    s.out = std::move(out);
    s.in = std::move(in);
    s.count.assign(s.out.size(), 1);
    s.weight.assign(s.out.size(), 1.0);
    return s;
}

xddp::profile make(std::vector<xddp::layer_profile> layers) {
    xddp::profile p;
    p.num_inputs = 1;
    p.layers = std::move(layers);
    return p;
}

// A: layer 0 neurons {0, 2}; layer 1 neurons {0, 1}, synapses from 0: (0,0), (0,2), (1,2).
xddp::profile profile_a() {
    auto l1 = layer(1, "conv2d", {0}, 2, {0, 1});
    l1.profiled = true;
    l1.synapses = {synapses(0, {0, 0, 1}, {0, 2, 2})};
    return make({layer(0, "input", {}, 3, {0, 2}), l1});
}

// B: layer 0 neurons {1, 2}; layer 1 neuron {1}, synapses from 0: (1,1), (1,2).
xddp::profile profile_b() {
    auto l1 = layer(1, "conv2d", {0}, 2, {1});
    l1.profiled = true;
    l1.synapses = {synapses(0, {1, 1}, {1, 2})};
    return make({layer(0, "input", {}, 3, {1, 2}), l1});
}

}  // namespace

TEST_CASE("jaccard_simple on sparse sets") {
    const auto a = profile_a(), b = profile_b();
    // Layer 0: {0, 2} and {1, 2}: intersection {2}, union {0, 1, 2}.
    CHECK(xddp::jaccard_simple(a.layers[0].neurons, b.layers[0].neurons) == doctest::Approx(1.0 / 3.0));
    // Synapses: {(0,0), (0,2), (1,2)} and {(1,1), (1,2)}: intersection {(1,2)}, union of 4.
    CHECK(xddp::jaccard_simple(a.layers[1].synapses[0], b.layers[1].synapses[0]) == 0.25);
    // Identical sets.
    CHECK(xddp::jaccard_simple(a.layers[0].neurons, a.layers[0].neurons) == 1.0);
    // A stored zero count is not a member (nnz semantics).
    auto z = a.layers[0].neurons;
    z.count[0] = 0;  // set {2}
    CHECK(xddp::jaccard_simple(z, b.layers[0].neurons) == 0.5);
    // Two empty sets: no union, an error rather than 0/0.
    CHECK_THROWS_AS(xddp::jaccard_simple(xddp::neuron_set{}, xddp::neuron_set{}), xddp::value_error);
}

TEST_CASE("jaccard, avg_jaccard, instance_jaccard of two profiles") {
    const auto a = profile_a(), b = profile_b();
    using xddp::profile_part;
    // Neurons over all layers: intersections 1 (layer 0) + 1 (layer 1: {1}); unions 3 + 2 ({0, 1}): 2/5.
    CHECK(xddp::jaccard(a, b) == doctest::Approx(0.4));
    CHECK(xddp::jaccard(a, b, profile_part::neurons) == xddp::jaccard(b, a, profile_part::neurons));
    // Synapses: only layer 1 has them: 1/4.
    CHECK(xddp::jaccard(a, b, profile_part::synapses) == 0.25);
    // avg_jaccard over A's layers: (1/3 + 1/2) / 2 = 5/12 for neurons; layer 1 alone for synapses.
    CHECK(xddp::avg_jaccard(a, b) == doctest::Approx(5.0 / 12.0));
    CHECK(xddp::avg_jaccard(a, b, profile_part::synapses) == 0.25);
    const auto per_layer = xddp::layer_jaccards(a, b);
    REQUIRE(per_layer.size() == 2);
    CHECK(per_layer[0].first == 0);
    CHECK(per_layer[0].second == doctest::Approx(1.0 / 3.0));
    CHECK(per_layer[1].second == 0.5);
    // instance: A's 4 neurons, 2 of them in B; B's 3 neurons, 2 of them in A.
    CHECK(xddp::instance_jaccard(a, b) == 0.5);
    CHECK(xddp::instance_jaccard(b, a) == doctest::Approx(2.0 / 3.0));
    // Synapses: 1 of A's 3, 1 of B's 2.
    CHECK(xddp::instance_jaccard(a, b, profile_part::synapses) == doctest::Approx(1.0 / 3.0));
    CHECK(xddp::instance_jaccard(b, a, profile_part::synapses) == 0.5);
    // A profile is contained in its sum with another.
    CHECK(xddp::instance_jaccard(a, a + b) == 1.0);
    CHECK(xddp::instance_jaccard(a, a + b, profile_part::synapses) == 1.0);
    CHECK(xddp::jaccard(a, a) == 1.0);
    // Restricted to the given layers: layer 1 only, 1/2.
    const auto only1 = xddp::layer_selection::only({1});
    CHECK(xddp::jaccard(a, b, profile_part::neurons, only1) == 0.5);
    CHECK(xddp::avg_jaccard(a, b, profile_part::neurons, only1) == 0.5);
}

TEST_CASE("jaccard with layers missing from one profile") {
    // C has a layer 2 that A lacks: neurons {0, 1, 3} and synapses from 1: (0,0), (3,1).
    auto c = profile_a();
    auto l2 = layer(2, "conv2d", {1}, 4, {0, 1, 3});
    l2.profiled = true;
    l2.synapses = {synapses(1, {0, 3}, {0, 1})};
    c.layers.push_back(l2);
    const auto a = profile_a();
    using xddp::profile_part;
    // jaccard over the union of layers: layer 2 counts as empty in A: neurons (2 + 2) / (2 + 2 + 3) = 4/7.
    CHECK(xddp::jaccard(a, c) == doctest::Approx(4.0 / 7.0));
    CHECK(xddp::jaccard(a, c, profile_part::synapses) == doctest::Approx(3.0 / 5.0));
    // avg_jaccard over the first profile's layers: A vs C: layers 0 and 1 match exactly: 1. C vs A: layer 2
    // is missing in A, so it counts 0: (1 + 1 + 0) / 3.
    CHECK(xddp::avg_jaccard(a, c) == 1.0);
    CHECK(xddp::avg_jaccard(c, a) == doctest::Approx(2.0 / 3.0));
    CHECK(xddp::avg_jaccard(c, a, profile_part::synapses) == 0.5);
    // instance: all of A is in C; C's 7 neurons, 4 in A.
    CHECK(xddp::instance_jaccard(a, c) == 1.0);
    CHECK(xddp::instance_jaccard(c, a) == doctest::Approx(4.0 / 7.0));
}

TEST_CASE("jaccard: empty profiles and empty unions") {
    const auto a = profile_a();
    const xddp::profile empty;
    // As DDP: 0 when either profile represents no input.
    CHECK(xddp::jaccard(a, empty) == 0.0);
    CHECK(xddp::avg_jaccard(empty, a) == 0.0);
    CHECK(xddp::instance_jaccard(a, empty) == 0.0);
    // Profiles whose layers hold no synapses at all: the union is empty, an error naming it.
    auto bare = make({layer(0, "input", {}, 3, {}), layer(1, "conv2d", {0}, 2, {})});
    bare.layers[1].profiled = true;
    bare.layers[1].synapses = {synapses(0, {}, {})};
    CHECK_THROWS_AS(xddp::jaccard(bare, bare), xddp::value_error);
    CHECK_THROWS_AS(xddp::jaccard(bare, bare, xddp::profile_part::synapses), xddp::value_error);
    CHECK_THROWS_AS(xddp::avg_jaccard(bare, bare), xddp::value_error);
    CHECK_THROWS_AS(xddp::instance_jaccard(bare, a), xddp::value_error);
    try {
        (void)xddp::avg_jaccard(bare, bare, xddp::profile_part::synapses);
        FAIL("expected a value_error");
    } catch (const xddp::value_error& e) {
        CHECK(std::string(e.what()).find("layer 1") != std::string::npos);
    }
}

TEST_CASE("require_comparable: profiles of different models or neuron types are refused, naming the layer") {
    const auto a = profile_a(), b = profile_b();
    CHECK_NOTHROW(xddp::require_comparable(a, b));
    auto other_model = make({layer(0, "input", {}, 3, {0}), layer(1, "linear", {0}, 2, {1})});
    CHECK_THROWS_WITH_AS(xddp::require_comparable(a, other_model, "'a.json'", "'b.json'"),
                         doctest::Contains("layer 1 is 'conv2d1' (conv2d, shape (2, 2, 2)) in 'a.json'"),
                         xddp::value_error);
    auto element = b;
    element.neuron_type = xddp::profile_neuron_type::element;
    CHECK_THROWS_WITH_AS(xddp::require_comparable(a, element), doctest::Contains("different neuron types"),
                         xddp::value_error);
    // The empty one is named, whichever side it is on.
    const xddp::profile empty;
    CHECK_THROWS_WITH_AS(xddp::require_comparable(a, empty, "A", "B"), doctest::Contains("B is an empty profile"),
                         xddp::value_error);
    CHECK_THROWS_WITH_AS(xddp::require_comparable(empty, a, "A", "B"), doctest::Contains("A is an empty profile"),
                         xddp::value_error);
}
