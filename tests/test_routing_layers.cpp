// The routing layers of specs/ddp.md section 9: concat, channel_slice and channel_shuffle. Their forward
// passes against naive index arithmetic, their device kernel bodies run on the host against the forward
// passes bit for bit, and their contribution rules on small random graphs shaped like DenseNet's dense block,
// an Inception module and a ShuffleNet v2 unit, under both neuron policies, against a naive recomputation of
// the routing from the influential neurons (one contributor each, weight 1, counts carried unchanged).

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <doctest/doctest.h>

#include <xddp/device/profile.hpp>
#include <xddp/kernels/device/channel_shuffle.hpp>
#include <xddp/kernels/device/channel_slice.hpp>
#include <xddp/kernels/device/concat.hpp>
#include <xddp/xddp.hpp>

#include "golden_profiles.hpp"
#include "reference_layers.hpp"

namespace {

using xddp::shape_t;
using reference::random_array;

xt::xarray<float> run_n(const xddp::any_layer& layer, const std::vector<xt::xarray<float>>& xs) {
    std::vector<xddp::tensor_ref> refs(xs.begin(), xs.end());
    xddp::activation y;
    layer.forward(refs, y);
    return y;
}

// Element (b, c, p) of a (B, C, ...) array seen as (B, C, P).
float at(const xt::xarray<float>& a, std::size_t b, std::size_t c, std::size_t p) {
    const std::size_t channels = a.shape()[1], positions = a.size() / a.shape()[0] / channels;
    return a.data()[(b * channels + c) * positions + p];
}

bool same_bits(const xt::xarray<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](float x, float y) {
               return std::memcmp(&x, &y, sizeof(float)) == 0;
           });
}

}  // namespace

TEST_CASE("concat, channel_slice and channel_shuffle forward passes follow naive index arithmetic") {
    std::mt19937 rng(5);
    for (const shape_t& rest : {shape_t{}, shape_t{3}, shape_t{4, 5}}) {
        auto shape = [&](std::size_t batch, std::size_t channels) {
            shape_t s{batch, channels};
            s.insert(s.end(), rest.begin(), rest.end());
            return s;
        };
        const std::size_t positions = xddp::element_count(rest);
        // concat of three inputs of 2, 1 and 3 channels
        const std::vector<xt::xarray<float>> xs{random_array(shape(2, 2), rng), random_array(shape(2, 1), rng),
                                                random_array(shape(2, 3), rng)};
        const xddp::any_layer cat = xddp::concat{};
        CHECK(cat.arity() == xddp::any_arity);
        const auto y = run_n(cat, xs);
        REQUIRE(y.shape()[1] == 6);
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t p = 0; p < positions; ++p) {
                CHECK(at(y, b, 0, p) == at(xs[0], b, 0, p));
                CHECK(at(y, b, 1, p) == at(xs[0], b, 1, p));
                CHECK(at(y, b, 2, p) == at(xs[1], b, 0, p));
                for (std::size_t c = 0; c < 3; ++c) CHECK(at(y, b, 3 + c, p) == at(xs[2], b, c, p));
            }
        // channel_slice: channels [2, 5) of 6
        const auto x = random_array(shape(2, 6), rng);
        const auto s = reference::run(xddp::channel_slice(2, 3), x);
        const shape_t sliced = shape(2, 3);
        REQUIRE(s.shape() == std::vector<std::size_t>(sliced.begin(), sliced.end()));
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t c = 0; c < 3; ++c)
                for (std::size_t p = 0; p < positions; ++p) CHECK(at(s, b, c, p) == at(x, b, 2 + c, p));
        // channel_shuffle in 3 groups: x.view(B, 3, 2, ...).transpose(1, 2), element by element
        const auto z = reference::run(xddp::channel_shuffle(3), x);
        for (std::size_t b = 0; b < 2; ++b)
            for (std::size_t group = 0; group < 3; ++group)
                for (std::size_t k = 0; k < 2; ++k)
                    for (std::size_t p = 0; p < positions; ++p)
                        CHECK(at(z, b, k * 3 + group, p) == at(x, b, group * 2 + k, p));
    }
}

TEST_CASE("routing layers refuse shapes that do not fit, naming the layer and the shapes") {
    const xddp::concat cat;
    const std::vector<shape_t> mismatched{{1, 2, 4, 4}, {1, 3, 4, 5}};
    CHECK_THROWS_WITH_AS((void)cat.output_shape(mismatched), doctest::Contains("concat: input 1 has shape (1, 3, 4, 5)"),
                         xddp::shape_error);
    const std::vector<shape_t> none;
    CHECK_THROWS_AS((void)cat.output_shape(none), xddp::shape_error);
    const shape_t four{1, 4, 2, 2};
    CHECK_THROWS_WITH_AS((void)xddp::channel_slice(3, 2).output_shape(std::span(&four, 1)),
                         doctest::Contains("channel_slice: input shape (1, 4, 2, 2) does not fit channels [3, 5)"),
                         xddp::shape_error);
    CHECK_THROWS_WITH_AS((void)xddp::channel_shuffle(3).output_shape(std::span(&four, 1)),
                         doctest::Contains("channel_shuffle: input shape (1, 4, 2, 2) does not fit 3 groups"),
                         xddp::shape_error);
    CHECK_THROWS_AS(xddp::channel_slice(0, 0), xddp::value_error);
    CHECK_THROWS_AS(xddp::channel_shuffle(0), xddp::value_error);
    // No MACs, output bytes only.
    const std::vector<shape_t> two{{1, 2, 4, 4}, {1, 3, 4, 4}};
    CHECK(cat.cost(two).macs_deeplite == 0);
    CHECK(cat.cost(two).activation_bytes == 5 * 16 * sizeof(float));
}

TEST_CASE("the routing layers' device kernel bodies give their host forward passes bit for bit") {
    std::mt19937 rng(8);
    const std::size_t batch = 2, positions = 12;
    const auto a = random_array({batch, 3, 3, 4}, rng), b = random_array({batch, 5, 3, 4}, rng);
    const auto cat = run_n(xddp::concat{}, {a, b});
    std::vector<float> y(cat.size(), -1.0f);
    std::size_t offset = 0;
    for (const auto* x : {&a, &b}) {
        const std::size_t channels = x->shape()[1];
        const xddp::kernels::device::concat_part_body body{x->data(), y.data(), channels, 8, offset, positions};
        for (std::size_t t = 0; t < x->size(); ++t) body(t);
        offset += channels;
    }
    CHECK(same_bits(cat, y));

    const auto slice = reference::run(xddp::channel_slice(1, 3), b);
    y.assign(slice.size(), -1.0f);
    const xddp::kernels::device::channel_slice_body sb{b.data(), y.data(), 5, 1, 3, positions};
    for (std::size_t t = 0; t < y.size(); ++t) sb(t);
    CHECK(same_bits(slice, y));

    const auto c = random_array({batch, 6, 3, 4}, rng);
    for (const std::size_t groups : {1, 2, 3, 6}) {
        const auto shuffled = reference::run(xddp::channel_shuffle(groups), c);
        y.assign(shuffled.size(), -1.0f);
        const xddp::kernels::device::channel_shuffle_body body{c.data(), y.data(), 6, groups, positions};
        for (std::size_t t = 0; t < y.size(); ++t) body(t);
        CHECK(same_bits(shuffled, y));
    }
}

namespace {

// Where output channel c of a routing layer comes from: {input of the node, channel of that input}.
using route = std::function<std::pair<std::size_t, std::size_t>(std::size_t)>;

// The naive routing of each kind, from the layer group's input shapes (not from the library's rule).
route naive_route(const xddp::graph& g, const xddp::layer_group& lg) {
    const auto& node = g[lg.nodes[0]];
    if (lg.kind == "concat") {
        std::vector<std::pair<std::size_t, std::size_t>> table;  // one entry per output channel
        for (std::size_t k = 0; k < node.inputs.size(); ++k)
            for (std::size_t c = 0; c < g[node.inputs[k]].shape[0]; ++c) table.emplace_back(k, c);
        return [table](std::size_t c) { return table.at(c); };
    }
    if (lg.kind == "channel_slice") {
        const std::size_t begin = node.layer->get_if<xddp::channel_slice>()->begin();
        return [begin](std::size_t c) { return std::pair<std::size_t, std::size_t>{0, begin + c}; };
    }
    REQUIRE(lg.kind == "channel_shuffle");
    // Simulate view(g, C/g) -> transpose -> flatten on the channel numbers themselves.
    const std::size_t groups = node.layer->get_if<xddp::channel_shuffle>()->groups(), channels = lg.shape[0];
    std::vector<std::size_t> order;
    for (std::size_t k = 0; k < channels / groups; ++k)
        for (std::size_t group = 0; group < groups; ++group) order.push_back(group * (channels / groups) + k);
    return [order](std::size_t c) { return std::pair<std::size_t, std::size_t>{0, order.at(c)}; };
}

// Checks every routing layer of profile p (one sample, or a class profile of `samples`) against the naive
// routing of its influential neurons: exactly one synapse per influential neuron, to the right predecessor and
// neuron, weight 1, with the neuron's influence count carried over unchanged.
template <xddp::neuron_policy P>
std::size_t check_routing(const xddp::graph& g, const std::vector<xddp::layer_group>& groups, const xddp::profile& p,
                          const std::vector<xddp::profile>& singles) {
    std::size_t checked = 0;
    for (const xddp::layer_group& lg : groups) {
        if (lg.kind != "concat" && lg.kind != "channel_slice" && lg.kind != "channel_shuffle") continue;
        const auto lp = std::find_if(p.layers.begin(), p.layers.end(), [&](const auto& l) { return l.index == lg.index; });
        REQUIRE(lp != p.layers.end());
        CHECK(lp->kind == lg.kind);
        const route source = naive_route(g, lg);
        // Output neuron n holds elements from (c, p); the input neuron holding element e of a tail of shape s.
        const std::size_t positions = xddp::element_count(lg.shape) / lg.shape[0];
        const bool by_channel = std::same_as<P, xddp::channel_neurons> && lg.shape.size() == 3;
        const std::size_t per = by_channel ? 1 : positions;
        auto holder = [&](const shape_t& s, std::size_t e) {
            return std::same_as<P, xddp::channel_neurons> && s.size() == 3 ? e / (s[1] * s[2]) : e;
        };
        // Expected synapses (from layer, out, in) -> count: one per sample where `out` is influential.
        std::map<std::tuple<std::size_t, std::size_t, std::size_t>, std::uint64_t> want;
        std::uint64_t influential = 0;
        for (const xddp::profile& single : singles) {
            const auto& sl = *std::find_if(single.layers.begin(), single.layers.end(), [&](const auto& l) { return l.index == lg.index; });
            for (std::size_t k = 0; k < sl.neurons.index.size(); ++k) {
                if (sl.neurons.weight[k] == 0.0) continue;
                const std::size_t n = sl.neurons.index[k];
                const auto [input, channel] = source(n / per);
                const std::size_t from = lg.inputs[input];
                ++want[{from, n, holder(groups[from].shape, channel * positions + (per == 1 ? 0 : n % per))}];
                ++influential;
            }
        }
        std::map<std::tuple<std::size_t, std::size_t, std::size_t>, std::uint64_t> got;
        std::uint64_t carried = 0;
        REQUIRE(lp->synapses.size() == lg.predecessors.size());
        for (const xddp::synapse_set& s : lp->synapses)
            for (std::size_t k = 0; k < s.size(); ++k) {
                got[{s.from, s.out[k], s.in[k]}] = s.count[k];
                carried += s.count[k];
                CHECK(s.weight[k] == 1.0);
            }
        CHECK(got == want);
        CHECK(carried == influential);
        CHECK_MESSAGE(influential > 0, lg.name);
        ++checked;
    }
    return checked;
}

xt::xarray<float> uniform_batch(const xddp::graph& g, std::size_t n, unsigned seed) {
    shape_t shape{n};
    shape.insert(shape.end(), g.input_shape().begin(), g.input_shape().end());
    std::mt19937 rng(seed);
    return random_array(shape, rng, -1.0f, 1.0f);
}

// Profiles of each sample and their class profile under policy P, each routing layer checked.
template <xddp::neuron_policy P>
void check_graph(const xddp::graph& g, std::size_t expected_routing_layers) {
    const auto groups = xddp::layer_groups(g);
    const auto x = uniform_batch(g, 3, 17);
    const auto acts = g.forward(x, xddp::keep::all);
    for (const double threshold : {0.2, 0.7, 1.0}) {
        std::vector<xddp::profile> singles;
        for (std::size_t sample = 0; sample < 3; ++sample)
            singles.push_back(xddp::contribution_profile<P>(g, groups, acts, sample, {.threshold = threshold}));
        for (const auto& single : singles) CHECK(check_routing<P>(g, groups, single, {single}) == expected_routing_layers);
        const xddp::profile sum = singles[0] + singles[1] + singles[2];
        CHECK(check_routing<P>(g, groups, sum, singles) == expected_routing_layers);
    }
}

xddp::conv2d padded_conv(std::size_t in, std::size_t out, std::size_t k) {
    return xddp::conv2d({.in_channels = in, .out_channels = out, .kernel = {k, k}, .padding = {k / 2, k / 2}});
}

// DenseNet's dense block: the block input and a new feature map concatenated, then a conv over both.
xddp::graph dense_block() {
    xddp::graph g({3, 6, 6});
    auto c1 = g.add("conv1", padded_conv(3, 4, 3), 0);
    c1 = g.add("relu1", xddp::relu{}, c1);
    auto c2 = g.add("conv2", padded_conv(4, 3, 3), c1);
    c2 = g.add("relu2", xddp::relu{}, c2);
    const auto cat = g.add("cat", xddp::concat{}, {c1, c2});
    auto c3 = g.add("conv3", padded_conv(7, 5, 1), cat);
    c3 = g.add("relu3", xddp::relu{}, c3);
    const auto pool = g.add("pool", xddp::adaptive_avg_pool2d({2, 2}), c3);
    const auto flat = g.add("flatten", xddp::flatten{}, pool);
    g.add("fc", xddp::linear({.in_features = 20, .out_features = 4}), flat);
    xddp::seed_weights(g, 3);
    return g;
}

// An Inception module: 1x1, 3x3 and pool -> 1x1 branches concatenated, then a concat of two vectors.
xddp::graph inception_module() {
    xddp::graph g({3, 5, 5});
    auto b1 = g.add("b1", padded_conv(3, 2, 1), 0);
    b1 = g.add("b1_relu", xddp::relu{}, b1);
    auto b2 = g.add("b2", padded_conv(3, 3, 3), 0);
    b2 = g.add("b2_relu", xddp::relu{}, b2);
    auto b3 = g.add("b3_pool", xddp::max_pool2d({.kernel = {3, 3}, .stride = xddp::pair_t{1, 1}, .padding = {1, 1}}), 0);
    b3 = g.add("b3", padded_conv(3, 2, 1), b3);
    b3 = g.add("b3_relu", xddp::relu{}, b3);
    const auto cat = g.add("cat", xddp::concat{}, {b1, b2, b3});
    const auto gap = g.add("gap", xddp::adaptive_avg_pool2d({1, 1}), cat);
    const auto flat = g.add("flatten", xddp::flatten{}, gap);
    auto fa = g.add("fa", xddp::linear({.in_features = 7, .out_features = 3}), flat);
    fa = g.add("fa_relu", xddp::relu{}, fa);
    auto fb = g.add("fb", xddp::linear({.in_features = 7, .out_features = 2}), flat);
    fb = g.add("fb_relu", xddp::relu{}, fb);
    const auto vcat = g.add("vcat", xddp::concat{}, {fb, fa});
    g.add("fc", xddp::linear({.in_features = 5, .out_features = 3}), vcat);
    xddp::seed_weights(g, 5);
    return g;
}

}  // namespace

namespace {

// ShuffleNet v2's unit: the input split in two channel halves, one half through 1x1 and 3x3 convs, the two
// concatenated and shuffled in 2 groups; a second unit follows, then the classifier.
xddp::graph shuffle_unit() {
    xddp::graph g({4, 5, 5});
    auto stem = g.add("stem", padded_conv(4, 6, 3), 0);
    stem = g.add("stem_relu", xddp::relu{}, stem);
    xddp::node_id x = stem;
    for (int unit = 0; unit < 2; ++unit) {
        const std::string u = "unit" + std::to_string(unit) + ".";
        const auto left = g.add(u + "left", xddp::channel_slice(0, 3), x);
        auto right = g.add(u + "right", xddp::channel_slice(3, 3), x);
        right = g.add(u + "conv1", padded_conv(3, 3, 1), right);
        right = g.add(u + "relu1", xddp::relu{}, right);
        right = g.add(u + "conv2", padded_conv(3, 3, 3), right);
        const auto cat = g.add(u + "cat", xddp::concat{}, {left, right});
        x = g.add(u + "shuffle", xddp::channel_shuffle(2), cat);
    }
    const auto flat = g.add("flatten", xddp::flatten{}, x);
    g.add("fc", xddp::linear({.in_features = 150, .out_features = 3}), flat);
    xddp::seed_weights(g, 9);
    return g;
}

}  // namespace

TEST_CASE("routing rules on a dense block, an Inception module and ShuffleNet v2 units match a naive routing") {
    SUBCASE("dense block") {
        const auto g = dense_block();
        const auto groups = xddp::layer_groups(g);
        const auto cat = std::find_if(groups.begin(), groups.end(), [](const auto& l) { return l.kind == "concat"; });
        REQUIRE(cat != groups.end());
        CHECK(cat->shape == shape_t{7, 6, 6});
        CHECK(cat->predecessors.size() == 2);
        check_graph<xddp::channel_neurons>(g, 1);
        check_graph<xddp::element_neurons>(g, 1);
    }
    SUBCASE("Inception module, and a concat of vectors") {
        const auto g = inception_module();
        check_graph<xddp::channel_neurons>(g, 2);
        check_graph<xddp::element_neurons>(g, 2);
    }
    SUBCASE("ShuffleNet v2 units: split, branch, concat, shuffle") {
        const auto g = shuffle_unit();
        const auto groups = xddp::layer_groups(g);
        CHECK(std::count_if(groups.begin(), groups.end(), [](const auto& l) { return l.kind == "channel_slice"; }) == 4);
        // The last shuffle's layer is shaped before the flatten that follows it.
        const auto last = std::find_if(groups.rbegin(), groups.rend(), [](const auto& l) { return l.kind == "channel_shuffle"; });
        CHECK(last->shape == shape_t{6, 5, 5});
        check_graph<xddp::channel_neurons>(g, 8);
        check_graph<xddp::element_neurons>(g, 8);
    }
}

TEST_CASE("a concat of flattened pools routes each element to the channel that holds it") {
    // Like x.mean((2, 3)) and a flattened 2x2 pool joined: the tails come shaped (C, H, W), the concat is a vector.
    xddp::graph g({3, 4, 4});
    auto a = g.add("conv_a", padded_conv(3, 4, 3), 0);
    a = g.add("relu_a", xddp::relu{}, a);
    a = g.add("pool_a", xddp::adaptive_avg_pool2d({2, 2}), a);
    a = g.add("flat_a", xddp::flatten{}, a);
    auto b = g.add("conv_b", padded_conv(3, 3, 1), 0);
    b = g.add("relu_b", xddp::relu{}, b);
    b = g.add("pool_b", xddp::adaptive_avg_pool2d({1, 1}), b);
    b = g.add("flat_b", xddp::flatten{}, b);
    const auto cat = g.add("cat", xddp::concat{}, {a, b});
    const auto part = g.add("part", xddp::channel_slice(2, 15), cat);
    g.add("fc", xddp::linear({.in_features = 15, .out_features = 3}), part);
    xddp::seed_weights(g, 12);
    const auto groups = xddp::layer_groups(g);
    REQUIRE(groups[2].shape == shape_t{4, 2, 2});  // pool_a's layer, shaped before its flatten
    check_graph<xddp::channel_neurons>(g, 2);
    check_graph<xddp::element_neurons>(g, 2);
}

TEST_CASE("a concat that reads one layer twice joins both inputs' synapses in one set") {
    xddp::graph g({2, 3, 3});
    const auto c = g.add("conv", padded_conv(2, 3, 3), 0);
    const auto cat = g.add("cat", xddp::concat{}, {c, c});
    const auto flat = g.add("flatten", xddp::flatten{}, cat);
    g.add("fc", xddp::linear({.in_features = 54, .out_features = 2}), flat);
    xddp::seed_weights(g, 2);
    const auto groups = xddp::layer_groups(g);
    REQUIRE(groups[2].predecessors == std::vector<std::size_t>{1});
    check_graph<xddp::channel_neurons>(g, 1);
    check_graph<xddp::element_neurons>(g, 1);
}

TEST_CASE("a profile of a ShuffleNet v2 unit is valid profile JSON and reads back equal") {
    const auto g = shuffle_unit();
    const auto x = uniform_batch(g, 1, 23);
    const auto p = xddp::contribution_profile<xddp::element_neurons>(g, x, {.threshold = 0.5});
    const std::string json = xddp::to_json(p);
    CHECK(xddp::parse_profile_json(json) == p);
    // XDDP_ROUTING_PROFILE names a file to keep it in, for shared/tools/validate_profile.py.
    if (const char* keep = std::getenv("XDDP_ROUTING_PROFILE")) std::ofstream(keep) << json;
}

TEST_CASE("the routing layers under cuda_emulated: forward and both profiles equal the host's") {
    std::mt19937 rng(29);
    std::normal_distribution<float> nd;
    // (The Inception module is left out: its linear layers' forward passes round differently on the two
    // policies (BLAS on the host, one sequential dot per thread here), which moves a borderline neuron.)
    for (const auto& g : {dense_block(), shuffle_unit()}) {
        xt::xarray<float> x = xt::zeros<float>(shape_t{1, g.input_shape()[0], g.input_shape()[1], g.input_shape()[2]});
        for (auto& v : x) v = nd(rng);
        const xddp::activations host = g.forward(x);
        const xddp::activations dev = xddp::forward<xddp::cuda_emulated>(g, x);
        REQUIRE(dev.output().shape() == host.output().shape());
        CHECK(xt::allclose(dev.output(), host.output(), 1e-5, 1e-6));
        for (const double threshold : {0.3, 0.8}) {
            xddp::profile_options opt;
            opt.threshold = threshold;
            golden::compare_profiles(xddp::contribution_profile<xddp::channel_neurons, xddp::cuda_emulated>(g, x, opt),
                                     xddp::contribution_profile<xddp::channel_neurons>(g, x, opt), "channel");
            golden::compare_profiles(xddp::contribution_profile<xddp::element_neurons, xddp::cuda_emulated>(g, x, opt),
                                     xddp::contribution_profile<xddp::element_neurons>(g, x, opt), "element");
        }
    }
}
