#pragma once
// The checks of a kernel policy (kernels/device/ bodies driven by device/*.hpp), written once and run twice:
// with xddp::cuda_emulated in the host tests (test_cuda_emulated.cpp, always) and with xddp::cuda on a GPU
// (test_cuda.cu, where nvcc and a device exist). References: the host policy's forward pass and the host
// selection functions, naive loops in this file, and the DeepDataProfiler golden files of shared/golden/ddp.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <xtensor/xbuilder.hpp>

#include "golden_profiles.hpp"
#include "reference_layers.hpp"
#include "xddp/device/forward.hpp"
#include "xddp/device/profile.hpp"
#include "xddp/device/state.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/model/layer_groups.hpp"
#include "xddp/model/sequential.hpp"
#include "xddp/pipeline/pipeline.hpp"
#include "xddp/pipeline/profile_stage.hpp"
#include "xddp/profile/json.hpp"
#include "xddp/profile/selection.hpp"
#include "xddp/state/counter.hpp"
#include "xddp/state/pack.hpp"

namespace device_checks {

inline void randomize(xddp::graph& g, std::mt19937& rng) {
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f), positive(0.5f, 1.5f);
    for (xddp::node_id id = 1; id < g.size(); ++id)
        for (const auto& p : g.at(id).layer->parameters()) {
            const bool var = p.name == "running_var";
            for (std::size_t i = 0, n = xddp::element_count(p.shape); i < n; ++i) p.data[i] = var ? positive(rng) : dist(rng);
        }
}

// Layers with every option the kernels take: stride, asymmetric padding, dilation, groups, ceil_mode,
// count_include_pad, non-dividing adaptive windows, the pointwise conv path, every activation.
inline xddp::graph odd_geometry_model() {
    using namespace xddp;
    return sequential({4, 17, 15})
        .then("conv_a", conv2d({.in_channels = 4, .out_channels = 6, .kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 0},
                                .padding_end = pair_t{2, 1}, .dilation = {1, 2}, .groups = 2}))
        .then("bn", batch_norm(6))
        .then("relu", relu{})
        .then("pool_max", max_pool2d({.kernel = {3, 2}, .stride = pair_t{2, 2}, .padding = {1, 1}, .dilation = {1, 1}, .ceil_mode = true}))
        .then("conv_pw", conv2d({.in_channels = 6, .out_channels = 5, .kernel = {1, 1}, .bias = false}))
        .then("elu", elu{0.7f})
        .then("pool_avg", avg_pool2d({.kernel = {2, 3}, .stride = pair_t{1, 2}, .padding = {1, 1}, .ceil_mode = true,
                                      .count_include_pad = false}))
        .then("leaky", leaky_relu{0.1f})
        .then("clip", hardtanh{-0.3f, 0.4f})
        .then("pool_adaptive", adaptive_avg_pool2d({3, 2}))
        .then("flatten", flatten{})
        .then("drop", dropout{})
        .then("fc", linear({.in_features = 30, .out_features = 7}))
        .build();
}

// Every kept activation of the policy's forward pass equals the host's within float tolerance.
template <class P>
void forward_matches_host(const xddp::graph& g, const xt::xarray<float>& x, double rtol = 1e-4, double atol = 1e-5) {
    const xddp::activations host = xddp::forward<xddp::host>(g, x, xddp::keep::all);
    const xddp::activations dev = xddp::forward<P>(g, x, xddp::keep::all);
    REQUIRE(dev.values.size() == host.values.size());
    for (xddp::node_id id = 0; id < g.size(); ++id) {
        std::string why;
        CHECK_MESSAGE(reference::allclose(dev[id], host[id], rtol, atol, &why), g[id].name, ": ", why);
    }
}

template <class P>
void check_forward_odd_geometry() {
    std::mt19937 rng(11);
    xddp::graph g = odd_geometry_model();
    randomize(g, rng);
    forward_matches_host<P>(g, reference::random_array({3, 4, 17, 15}, rng));
    forward_matches_host<P>(g, reference::random_array({4, 17, 15}, rng));  // one sample, no batch axis
    // keep::output frees what it does not need and still gives the output.
    const auto x = reference::random_array({2, 4, 17, 15}, rng);
    std::string why;
    CHECK_MESSAGE(reference::allclose(xddp::forward<P>(g, x).output(), g(x), 1e-4, 1e-5, &why), why);
}

// tiny_vgg and tiny_resnet on the golden input: every activation as the host's, logits as PyTorch's.
template <class P>
void check_forward_golden() {
    for (const std::string name : {"tiny_vgg", "tiny_resnet"}) {
        CAPTURE(name);
        const xddp::graph g = golden::golden_model(name);
        const auto x = xddp::io::load_npy<float>(golden::case_dir(name) / "inputs" / "x0.npy");
        forward_matches_host<P>(g, x);
        const auto logits = xddp::forward<P>(g, x).output();
        xt::xarray<float> expected = xddp::io::load_npy<float>(golden::case_dir(name) / "activations_x0" / "logits.npy");
        expected.reshape(logits.shape());
        std::string why;
        CHECK_MESSAGE(reference::allclose(logits, expected, 1e-4, 1e-5, &why), why);
    }
}

// The golden DDP profiles of both tiny models, both neuron policies, both thresholds, x0, x1 and their sum.
template <class P>
int check_golden_profiles(const std::vector<std::string>& models) {
    int matched = 0;
    for (const std::string& model : models) {
        const xddp::graph g = golden::golden_model(model);
        const auto x0 = xddp::io::load_npy<float>(golden::case_dir(model) / "inputs" / "x0.npy");
        const auto x1 = xddp::io::load_npy<float>(golden::case_dir(model) / "inputs" / "x1.npy");
        for (const std::string policy : {"channel", "element"})
            for (const double threshold : {0.1, 0.5}) {
                const std::string key = policy + "_t" + (threshold == 0.1 ? "0.1" : "0.5");
                INFO(model << " " << key << " under " << P::name);
                xddp::profile_options opt;
                opt.threshold = threshold;
                const auto run = [&](const xt::xarray<float>& x) {
                    return policy == "channel" ? xddp::contribution_profile<xddp::channel_neurons, P>(g, x, opt)
                                               : xddp::contribution_profile<xddp::element_neurons, P>(g, x, opt);
                };
                const xddp::profile p0 = run(x0), p1 = run(x1), sum = p0 + p1;
                const std::pair<const char*, const xddp::profile*> mine[] = {{"x0", &p0}, {"x1", &p1}, {"sum", &sum}};
                for (const auto& [input, p] : mine) {
                    const auto file = golden::case_dir(model) / ("profile_" + key + "_" + input + ".json");
                    golden::compare_profiles(*p, xddp::load_profile_json(file), file.filename().string());
                    ++matched;
                }
            }
    }
    return matched;
}

// A pipeline whose forward passes run under P: the profile stage's class profile of x0 and x1 in one
// batch of 2 equals DDP's sum profile.
template <class P>
void check_pipeline_on_policy() {
    const xddp::graph g = golden::golden_model("tiny_vgg");
    const auto dir = golden::case_dir("tiny_vgg");
    const auto x0 = xddp::io::load_npy<float>(dir / "inputs" / "x0.npy");
    const auto x1 = xddp::io::load_npy<float>(dir / "inputs" / "x1.npy");
    const xt::xarray<float> batch = xt::concatenate(xt::xtuple(x0, x1), 0);
    xddp::pipeline p(g, xddp::profile_stage<xddp::element_neurons>({.threshold = 0.5}));
    p.template run<P>(batch, {.batch_size = 2, .progress = {}});
    golden::compare_profiles(p.template stage<0>().class_profile(),
                             xddp::load_profile_json(dir / "profile_element_t0.5_sum.json"), "pipeline sum");
}

// One selection problem through the policy's sort and selection kernels.
enum class rule { cumulative, biased, signed_ };

template <class P>
std::vector<xddp::selected> device_select(const std::vector<float>& values, rule r, float threshold, float y = 0.0f,
                                          float bias = 0.0f) {
    namespace k = xddp::kernels::device;
    const std::size_t n = values.size(), padded = k::next_power_of_two(n);
    auto v = P::template allocate<float>(n);
    P::upload(values.data(), n, v.data());
    auto ys = P::template allocate<float>(1);
    auto bs = P::template allocate<float>(1);
    P::upload(&y, 1, ys.data());
    P::upload(&bias, 1, bs.data());
    xddp::detail::device::selection_buffers<P> sel(1, padded);
    xddp::detail::device::sort_segments<P>(sel.order.data(), 1, padded, k::descending_values{v.data(), 0, n, nullptr});
    const auto seg = sel.segments(v.data(), 0, padded, n, nullptr);
    if (r == rule::cumulative) P::launch(1, k::select_cumulative_body{seg, threshold});
    else if (r == rule::biased) P::launch(1, k::select_biased_body{seg, threshold, ys.data(), bs.data()});
    else P::launch(1, k::select_signed_body{seg, threshold});
    std::vector<xddp::selected> out;
    for (const auto& e : sel.download(1, padded)) out.push_back({e.position, e.weight});
    return out;
}

inline void check_same_selection(const std::vector<xddp::selected>& a, const std::vector<xddp::selected>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].position == b[i].position);
        CHECK(a[i].weight == b[i].weight);  // the same float operations in the same order
    }
}

// The selection kernels against profile/selection.hpp on random values with ties, zeros and lengths that
// are not powers of two: the same positions and bit-identical weights.
template <class P>
void check_selection_matches_host() {
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> level(-3, 12);
    for (int trial = 0; trial < 60; ++trial) {
        const std::size_t n = 1 + static_cast<std::size_t>(trial * 7 % 97);
        std::vector<float> nonneg(n), sign(n);
        for (std::size_t i = 0; i < n; ++i) {
            const int l = level(rng);
            nonneg[i] = l <= 0 ? 0.0f : 0.25f * static_cast<float>(l);  // ties and zeros
            sign[i] = 0.3f * static_cast<float>(l) + 0.01f * static_cast<float>(i % 3);
        }
        for (const double thr : {0.1, 0.5, 0.9, 1.0}) {
            INFO("n " << n << " threshold " << thr);
            const float t = static_cast<float>(thr);
            check_same_selection(device_select<P>(nonneg, rule::cumulative, t), xddp::cumulative_select(nonneg, thr));
            check_same_selection(device_select<P>(sign, rule::signed_, t), xddp::cumulative_select_signed(sign, thr));
            const float y = 0.37f * static_cast<float>(trial % 11), bias = 0.05f * static_cast<float>(trial % 5) - 0.1f;
            check_same_selection(device_select<P>(nonneg, rule::biased, t, y, bias),
                                 xddp::cumulative_select_biased(nonneg, t * y, bias));
        }
    }
    // No positive score: nothing selected, as on the host.
    CHECK(device_select<P>(std::vector<float>(9, 0.0f), rule::cumulative, 0.5f).empty());
}

// The segmented bitonic sort against std::stable_sort (descending, ties by position), uneven lengths.
template <class P>
void check_segmented_sort() {
    namespace k = xddp::kernels::device;
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> level(0, 9);
    const std::size_t segments = 5, padded = 64;
    const std::vector<std::uint32_t> lengths{64, 1, 37, 0, 50};
    std::vector<float> values(segments * padded, -99.0f);  // past a length: garbage that must not matter
    for (std::size_t s = 0; s < segments; ++s)
        for (std::size_t i = 0; i < lengths[s]; ++i) values[s * padded + i] = static_cast<float>(level(rng));
    auto v = P::template allocate<float>(values.size());
    P::upload(values.data(), values.size(), v.data());
    auto len = P::template allocate<std::uint32_t>(segments);
    P::upload(lengths.data(), segments, len.data());
    auto order = P::template allocate<std::uint32_t>(segments * padded);
    xddp::detail::device::sort_segments<P>(order.data(), segments, padded, k::descending_values{v.data(), padded, 0, len.data()});
    std::vector<std::uint32_t> got(segments * padded);
    P::download(order.data(), got.size(), got.data());
    for (std::size_t s = 0; s < segments; ++s) {
        std::vector<std::uint32_t> expected(padded);
        std::iota(expected.begin(), expected.end(), 0u);
        std::stable_sort(expected.begin(), expected.begin() + lengths[s], [&](std::uint32_t a, std::uint32_t b) {
            return values[s * padded + a] > values[s * padded + b];
        });
        CHECK(std::vector<std::uint32_t>(got.begin() + static_cast<std::ptrdiff_t>(s * padded),
                                         got.begin() + static_cast<std::ptrdiff_t>((s + 1) * padded)) == expected);
    }
}

// Packing and exact counting against state/pack.hpp and state_counter<exact_hash>, widths of 1..2 words,
// with many repeated states (few distinct values).
template <class P>
void check_states_match_host() {
    std::mt19937 rng(9);
    std::uniform_int_distribution<int> sign(-1, 1);
    for (const std::size_t channels : {1, 5, 64, 70}) {
        for (const xddp::shape_t& shape : {xddp::shape_t{3, channels, 4, 5}, xddp::shape_t{9, channels}}) {
            CAPTURE(channels);
            xt::xarray<float> x = xt::xarray<float>::from_shape(shape);
            for (auto& v : x) v = static_cast<float>(sign(rng)) * (channels > 8 ? 1.0f : 0.5f);
            if (channels > 8)  // fewer distinct states: most channels copy channel 0's sign
                for (std::size_t i = 0; i < x.size(); ++i)
                    if ((i / (x.size() / shape[0] / shape[1])) % shape[1] % 3 != 0) x.data()[i] = 1.0f;
            const std::size_t positions = x.size() / (shape[0] * shape[1]), words = xddp::state_words(channels);
            std::vector<std::uint64_t> expected(shape[0] * positions * words);
            for (std::size_t n = 0; n < shape[0]; ++n)
                xddp::pack_states(x.data() + n * channels * positions, channels, positions, 0, positions,
                                  expected.data() + n * positions * words, words);
            CHECK(xddp::pack_states<P>(x) == expected);
            xddp::state_counter<xddp::exact_hash> counter;
            counter.add(x);
            const auto host = counter.distinct_states();
            const auto dev = xddp::count_states<P>(x);
            CHECK(dev.neurons == host.neurons);
            CHECK(dev.counts == host.counts);
            CHECK(dev.states == host.states);
            CHECK(xddp::count_states<xddp::host>(x).counts == host.counts);
        }
    }
}

// Bad inputs: the same errors as the host entry points.
template <class P>
void check_bad_inputs() {
    std::mt19937 rng(1);
    xddp::graph g = odd_geometry_model();
    randomize(g, rng);
    CHECK_THROWS_AS(xddp::forward<P>(g, reference::random_array({2, 4, 17, 16}, rng)), xddp::shape_error);
    auto x = reference::random_array({1, 4, 17, 15}, rng);
    x(0, 1, 2, 3) = std::nanf("");
    CHECK_THROWS_AS(xddp::forward<P>(g, x), xddp::value_error);
    CHECK_THROWS_AS((xddp::contribution_profile<xddp::channel_neurons, P>(g, reference::random_array({2, 4, 17, 15}, rng), {})),
                    xddp::shape_error);
    xddp::profile_options bad;
    bad.threshold = 1.5;
    CHECK_THROWS_AS((xddp::contribution_profile<xddp::element_neurons, P>(g, reference::random_array({4, 17, 15}, rng), bad)),
                    xddp::value_error);
    CHECK_THROWS_AS(xddp::count_states<P>(xt::xarray<float>::from_shape({7})), xddp::shape_error);
    // A tensor already in the policy's memory must carry the batch axis and the input's shape.
    const xddp::device_model<P> m(g);
    CHECK_THROWS_AS(m.forward(xddp::to_device<P>(reference::random_array({4, 17, 15}, rng))), xddp::shape_error);
    CHECK_THROWS_AS(m.forward(xddp::to_device<P>(reference::random_array({1, 4, 15, 17}, rng))), xddp::shape_error);
    // Activations kept with keep::output lack the inner layers.
    const auto kept = m.forward(reference::random_array({4, 17, 15}, rng), xddp::keep::output);
    const auto layers = xddp::layer_groups(g);
    CHECK_THROWS_AS((xddp::contribution_profile<xddp::channel_neurons, P>(g, layers, kept, 0, {})), xddp::value_error);
}

}  // namespace device_checks
