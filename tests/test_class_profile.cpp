// class_profile_sum and profile bytes: the class profile of the golden tiny_vgg inputs (and inputs mixed
// from them) is the same bits whatever shards the inputs fall into and in whatever order and grouping the
// shards' sums are merged; it agrees with DDP's golden sum and with plain left-to-right addition up to
// rounding; bytes round-trip exactly and malformed bytes are format_errors.

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xview.hpp>

#include "golden_profiles.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/pipeline/pipeline.hpp"
#include "xddp/pipeline/profile_stage.hpp"
#include "xddp/profile/bytes.hpp"
#include "xddp/profile/class_profile.hpp"
#include "xddp/profile/json.hpp"

namespace {

// The two golden inputs, then 11 seeded mixtures of them with noise: 13 inputs, not a power of two.
xt::xarray<float> inputs_of(const std::string& model) {
    const auto dir = golden::case_dir(model);
    const auto x0 = xddp::io::load_npy<float>(dir / "inputs/x0.npy");
    const auto x1 = xddp::io::load_npy<float>(dir / "inputs/x1.npy");
    xt::xarray<float> all = xt::concatenate(xt::xtuple(x0, x1), 0);
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> mix(0.f, 1.f), noise(-0.2f, 0.2f);
    for (int k = 0; k < 11; ++k) {
        const float a = mix(rng);
        xt::xarray<float> x = a * x0 + (1 - a) * x1;
        for (auto& v : x) v += noise(rng);
        all = xt::concatenate(xt::xtuple(all, x), 0);
    }
    return all;
}

template <xddp::neuron_policy P>
std::vector<xddp::profile> per_input_profiles(const xddp::graph& g, const xt::xarray<float>& x, double threshold) {
    xddp::pipeline p(g, xddp::profile_stage<P>({.threshold = threshold}, xddp::input_profiles::keep));
    p.run(x, {.batch_size = 4, .progress = {}});
    return p.template stage<0>().per_input();
}

// Merges the parts in a random order and grouping (each step: a random part into another), sometimes
// through bytes, as processes would.
xddp::class_profile_sum merge_randomly(std::vector<xddp::class_profile_sum> parts, std::mt19937& rng) {
    while (parts.size() > 1) {
        std::uniform_int_distribution<std::size_t> pick(0, parts.size() - 1);
        const std::size_t i = pick(rng);
        std::size_t j = pick(rng);
        if (j == i) j = (i + 1) % parts.size();
        if (rng() % 2) parts[i].merge(xddp::class_profile_sum_from_bytes(xddp::class_profile_sum_to_bytes(parts[j])));
        else parts[i].merge(std::move(parts[j]));
        parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(j));
    }
    return std::move(parts.front());
}

void check_shards(const std::vector<xddp::profile>& per_input, const xddp::profile& serial, std::mt19937& rng) {
    const std::size_t n = per_input.size();
    for (int trial = 0; trial < 12; ++trial) {
        CAPTURE(trial);
        const std::size_t shards = 1 + rng() % 5;
        std::vector<xddp::class_profile_sum> parts(shards);
        if (trial % 2 == 0) {
            // Contiguous shards at random cut points (some may be empty), as a distributed run cuts them.
            std::vector<std::size_t> cuts{0, n};
            for (std::size_t s = 1; s < shards; ++s) cuts.push_back(rng() % (n + 1));
            std::sort(cuts.begin(), cuts.end());
            for (std::size_t s = 0; s < shards; ++s)
                for (std::size_t i = cuts[s]; i < cuts[s + 1]; ++i) parts[s].add(i, per_input[i]);
        } else {
            // Every input to a random shard, added in a random order.
            std::vector<std::size_t> order(n);
            for (std::size_t i = 0; i < n; ++i) order[i] = i;
            std::shuffle(order.begin(), order.end(), rng);
            for (std::size_t i : order) parts[rng() % shards].add(i, per_input[i]);
        }
        const xddp::profile merged = merge_randomly(std::move(parts), rng).total();
        CHECK(merged == serial);  // every count and every weight's bits
        CHECK(xddp::profile_to_bytes(merged) == xddp::profile_to_bytes(serial));
    }
}

}  // namespace

TEST_CASE("class_profile_sum: shards of the inputs merged in any order and grouping give the serial bits") {
    std::mt19937 rng(2024);
    const xddp::graph g = golden::golden_model("tiny_vgg");
    const auto x = inputs_of("tiny_vgg");
    {
        const auto per_input = per_input_profiles<xddp::channel_neurons>(g, x, 0.1);
        REQUIRE(per_input.size() == 13);
        // The same batches as per_input_profiles: a forward pass's bits depend on its batch size.
        xddp::pipeline p(g, xddp::profile_stage<xddp::channel_neurons>({.threshold = 0.1}));
        p.run(x, {.batch_size = 4, .progress = {}});
        const xddp::profile& serial = p.stage<0>().class_profile();
        CHECK(serial.num_inputs == 13);
        check_shards(per_input, serial, rng);

        // Plain left-to-right addition rounds differently but agrees within DDP's comparison tolerance.
        xddp::profile folded;
        for (const auto& q : per_input) folded += q;
        golden::compare_profiles(serial, folded, "tree sum vs left fold");

        // The first two inputs are the golden ones: their sum is DDP's.
        xddp::class_profile_sum two;
        two.add(1, per_input[1]);
        two.add(0, per_input[0]);
        golden::compare_profiles(two.total(),
                                 xddp::load_profile_json(golden::case_dir("tiny_vgg") / "profile_channel_t0.1_sum.json"),
                                 "golden sum");
    }
    {
        const auto per_input = per_input_profiles<xddp::element_neurons>(g, x, 0.5);
        xddp::class_profile_sum sum;
        for (std::size_t i = 0; i < per_input.size(); ++i) sum.add(i, per_input[i]);
        check_shards(per_input, sum.total(), rng);
    }
}

namespace {

// A one-input profile of a made-up 2-layer model with random counts and weights, so that means round.
xddp::profile random_profile(std::mt19937& rng) {
    std::uniform_real_distribution<double> weight(0.0, 1.0);
    xddp::profile p;
    p.num_inputs = 1;
    xddp::layer_profile in, conv;
    in.index = 0, in.name = "input", in.kind = "input", in.shape = {4, 2, 2}, in.neurons.size = 4;
    conv.index = 1, conv.name = "conv", conv.kind = "conv2d", conv.shape = {3, 2, 2}, conv.predecessors = {0};
    conv.neurons.size = 3, conv.profiled = true;
    xddp::synapse_set syn;
    syn.from = 0;
    for (std::size_t o = 0; o < 3; ++o) {
        if (rng() % 3 == 0) continue;
        conv.neurons.index.push_back(o);
        conv.neurons.count.push_back(1 + rng() % 3);
        conv.neurons.weight.push_back(weight(rng));
        for (std::size_t i = 0; i < 4; ++i)
            if (rng() % 2) {
                syn.out.push_back(o), syn.in.push_back(i), syn.count.push_back(1 + rng() % 2);
                syn.weight.push_back(weight(rng));
            }
    }
    for (std::size_t i = 0; i < 4; ++i) {
        std::uint64_t c = 0;
        for (std::size_t k = 0; k < syn.size(); ++k) c += syn.in[k] == i ? syn.count[k] : 0;
        if (c) in.neurons.index.push_back(i), in.neurons.count.push_back(c);
    }
    conv.synapses.push_back(std::move(syn));
    p.layers = {in, conv};
    return p;
}

}  // namespace

TEST_CASE("class_profile_sum: random weights, where plain addition of shard sums would not give the serial bits") {
    std::mt19937 rng(11);
    std::vector<xddp::profile> per_input;
    for (int i = 0; i < 37; ++i) per_input.push_back(random_profile(rng));
    xddp::class_profile_sum serial;
    for (std::size_t i = 0; i < per_input.size(); ++i) serial.add(i, per_input[i]);
    check_shards(per_input, serial.total(), rng);
    // The premise: adding shards' left-to-right sums gives other bits for some cut, so the check above
    // could fail for a merge that does not fix the addition tree.
    xddp::profile folded;
    for (const auto& q : per_input) folded += q;
    bool differs = false;
    for (std::size_t cut = 1; cut < per_input.size(); ++cut) {
        xddp::profile a, b;
        for (std::size_t i = 0; i < cut; ++i) a += per_input[i];
        for (std::size_t i = cut; i < per_input.size(); ++i) b += per_input[i];
        differs = differs || !((a + b) == folded);
    }
    CHECK(differs);
    golden::compare_profiles(serial.total(), folded, "tree sum vs left fold");
}

TEST_CASE("class_profile_sum: holds complete aligned blocks, refuses an input twice") {
    xddp::profile one;
    one.num_inputs = 1;
    xddp::class_profile_sum s;
    for (std::uint64_t i : {5u, 4u, 6u, 7u, 0u, 2u}) s.add(i, one);
    // Inputs {0, 2, 4, 5, 6, 7}: blocks [0,1), [2,3), [4,8).
    REQUIRE(s.blocks().size() == 3);
    CHECK(s.blocks()[0].first == 0);
    CHECK(s.blocks()[1].first == 2);
    CHECK(s.blocks()[2].first == 4);
    CHECK(s.blocks()[2].level == 2);
    CHECK(s.inputs() == 6);
    CHECK(s.total().num_inputs == 6);
    CHECK_THROWS_AS(s.add(6, one), xddp::value_error);
    xddp::class_profile_sum t;
    t.add(2, one);
    CHECK_THROWS_AS(s.merge(t), xddp::value_error);
    CHECK_THROWS_AS(s.insert({3, 1, one}), xddp::value_error);  // [3, 5) is not aligned
    s.add(1, one);
    s.add(3, one);
    REQUIRE(s.blocks().size() == 1);
    CHECK(s.blocks()[0].level == 3);
    CHECK(xddp::class_profile_sum{}.total() == xddp::profile{});
}

TEST_CASE("profile bytes: round trip exactly; truncated or malformed bytes are format_errors") {
    const auto golden_sum = xddp::load_profile_json(golden::case_dir("tiny_resnet") / "profile_element_t0.5_sum.json");
    const auto bytes = xddp::profile_to_bytes(golden_sum);
    CHECK(xddp::profile_from_bytes(bytes) == golden_sum);
    for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 8) {
        CAPTURE(cut);
        CHECK_THROWS_AS(xddp::profile_from_bytes(std::span(bytes.data(), cut)), xddp::format_error);
    }
    auto longer = bytes;
    longer.push_back(0);
    CHECK_THROWS_AS(xddp::profile_from_bytes(longer), xddp::format_error);
    auto wrong_tag = bytes;
    wrong_tag[7] = '9';
    CHECK_THROWS_AS(xddp::profile_from_bytes(wrong_tag), xddp::format_error);
    auto bad_type = bytes;
    bad_type[8] = 7;  // the neuron type follows the tag
    CHECK_THROWS_AS(xddp::profile_from_bytes(bad_type), xddp::format_error);
    // A layer whose neuron indices do not ascend.
    auto swapped = golden_sum;
    auto& l = swapped.layers.at(1).neurons;
    REQUIRE(l.index.size() >= 2);
    std::swap(l.index[0], l.index[1]);
    CHECK_THROWS_AS(xddp::profile_from_bytes(xddp::profile_to_bytes(swapped)), xddp::format_error);
    // A huge declared length does not allocate: it is checked against the bytes left.
    auto huge = bytes;
    for (int k = 0; k < 8; ++k) huge[25 + k] = 0xff;  // the layer count after tag, type, threshold, num_inputs
    CHECK_THROWS_AS(xddp::profile_from_bytes(huge), xddp::format_error);

    xddp::class_profile_sum s;
    s.add(0, golden_sum);
    s.add(3, golden_sum);
    const auto sum_bytes = xddp::class_profile_sum_to_bytes(s);
    CHECK(xddp::class_profile_sum_from_bytes(sum_bytes) == s);
    for (std::size_t cut = 0; cut < sum_bytes.size(); cut += 1 + cut / 4)
        CHECK_THROWS_AS(xddp::class_profile_sum_from_bytes(std::span(sum_bytes.data(), cut)), xddp::format_error);
    CHECK_THROWS_AS(xddp::class_profile_sum_from_bytes(bytes), xddp::format_error);  // a profile, not a sum
}
