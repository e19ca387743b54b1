// Contribution rules against a deliberately naive reference backtrace written here straight from
// specs/ddp.md (dense loops over every candidate, full stable sorts, dense count arrays), on small random
// layers with what DDP ignores: groups, dilation, non-square kernels and strides, asymmetric padding,
// ceil_mode max pooling with dilation, adaptive pools whose sizes do not divide, avg_pool2d with and without
// count_include_pad, residual adds, layers_to_profile; both neuron policies. Also the selection rule against
// a full stable sort, and bad inputs.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <type_traits>
#include <vector>

#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/add.hpp"
#include "xddp/layers/avg_pool2d.hpp"
#include "xddp/layers/batch_norm.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/core/parallel_for.hpp"
#include "xddp/model/layer_groups.hpp"
#include "xddp/model/seeded_weights.hpp"
#include "xddp/model/sequential.hpp"
#include "xddp/profile/backtrace.hpp"

#include "user_layer.hpp"

namespace {

// ---------------------------------------------------------------------------------------------------
// The reference, written from the spec text only.

struct pick {
    std::size_t position;
    float weight;
};

// Sorted descending, equal values in index order (std::stable_sort), and torch.cumsum's partial sums: a
// double accumulator rounded to float at every step.
std::vector<std::size_t> stable_descending(const std::vector<float>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] > v[b]; });
    return order;
}
std::vector<float> cumulative(const std::vector<float>& v, const std::vector<std::size_t>& order) {
    std::vector<float> cs;
    double acc = 0.0;
    for (std::size_t p : order) cs.push_back(static_cast<float>(acc += v[p]));
    return cs;
}
std::vector<pick> accept(const std::vector<float>& v, const std::vector<std::size_t>& order, const std::vector<float>& cs,
                         std::size_t a) {
    std::vector<pick> out;
    if (a >= v.size()) a = v.size() - 1;
    if (cs[a] == 0.0f) return out;
    for (std::size_t k = 0; k <= a; ++k)
        if (v[order[k]] / cs[a] != 0.0f) out.push_back({order[k], v[order[k]] / cs[a]});
    return out;
}

// SELECT (section 2), and the signed conv variant: a = #{k : cs[k] / cs_last <= thr}; none if cs_last <= 0.
std::vector<pick> ref_select(const std::vector<float>& v, double thr) {
    if (v.empty()) return {};
    const auto order = stable_descending(v);
    const auto cs = cumulative(v, order);
    const float last = cs.back();
    if (!(last > 0.0f)) return {};
    std::size_t a = 0;
    for (float c : cs) a += c / last <= static_cast<float>(thr);
    return accept(v, order, cs, a);
}

// The linear variant: a = #{k : cs[k] + b <= thr * y}.
std::vector<pick> ref_select_linear(const std::vector<float>& v, float goal, float bias) {
    const auto order = stable_descending(v);
    const auto cs = cumulative(v, order);
    std::size_t a = 0;
    for (float c : cs) a += c + bias <= goal;
    return accept(v, order, cs, a);
}

struct ref_layer {
    bool present = false, profiled = false;
    std::vector<std::uint64_t> count;
    std::vector<double> weight;
    std::map<std::size_t, std::map<std::pair<std::size_t, std::size_t>, double>> synapses;  // from -> (out, in) -> w
};

template <xddp::neuron_policy P>
constexpr bool channel_policy = std::same_as<P, xddp::channel_neurons>;

template <xddp::neuron_policy P>
std::size_t ref_neurons(const xddp::shape_t& s) {
    return channel_policy<P> && s.size() == 3 ? s[0] : xddp::element_count(s);
}

// One sample's activation of a node as a flat vector.
std::vector<float> sample_of(const xddp::activations& acts, xddp::node_id id, std::size_t sample) {
    const auto& a = acts[id];
    const std::size_t per = a.size() / a.shape()[0];
    return std::vector<float>(a.data() + sample * per, a.data() + (sample + 1) * per);
}

std::ptrdiff_t sdiff(std::size_t a, std::size_t b) { return static_cast<std::ptrdiff_t>(a) - static_cast<std::ptrdiff_t>(b); }

template <xddp::neuron_policy P>
std::vector<ref_layer> reference_profile(const xddp::graph& g, const std::vector<xddp::layer_group>& layers,
                                         const xddp::activations& acts, std::size_t sample, double thr,
                                         const std::vector<std::size_t>& ltp) {
    std::vector<ref_layer> out(layers.size());
    std::vector<std::vector<pick>> influential(layers.size());
    for (std::size_t L : ltp) {
        const auto& pl = layers[L];
        const auto& shape = pl.shape;
        const auto head = sample_of(acts, pl.head, sample);
        const auto tail = sample_of(acts, pl.tail, sample);
        std::vector<float> t(tail.size());
        for (std::size_t k = 0; k < t.size(); ++k) t[k] = (head[k] > 0) == (tail[k] > 0) ? tail[k] : 0.0f;
        // Step 1.
        std::vector<float> m;
        std::vector<std::size_t> argmax;
        if (shape.size() == 3) {
            const std::size_t hw = shape[1] * shape[2];
            for (std::size_t c = 0; c < shape[0]; ++c) {
                std::size_t best = c * hw;
                for (std::size_t p = c * hw; p < (c + 1) * hw; ++p)
                    if (t[p] > t[best]) best = p;
                m.push_back(std::max(t[best], 0.0f));
                argmax.push_back(best);
            }
        } else {
            for (float v : t) m.push_back(std::max(v, 0.0f));
        }
        for (const pick& pk : ref_select(m, thr)) {
            std::size_t idx = pk.position;
            if (!channel_policy<P> && shape.size() == 3) idx = argmax[pk.position];
            influential[L].push_back({idx, pk.weight});
        }
        out[L].profiled = out[L].present = true;
        out[L].weight.assign(ref_neurons<P>(shape), 0.0);
        for (const pick& pk : influential[L]) out[L].weight[pk.position] = pk.weight;

        // Step 2.
        const xddp::node& first = g[pl.nodes[0]];
        const auto& preds = pl.predecessors;
        std::vector<std::vector<float>> x;
        for (std::size_t p : preds) x.push_back(sample_of(acts, layers[p].tail, sample));
        auto& syn = out[L].synapses;
        for (std::size_t p : preds) syn[p];
        const auto add_synapse = [&](std::size_t from, std::size_t o, std::size_t i, double w) { syn[from][{o, i}] += w; };
        const xddp::shape_t& in_shape = layers[preds.at(0)].shape;
        for (const pick& infl : influential[L]) {
            const std::size_t n = infl.position;
            if (const auto* conv = first.layer->get_if<xddp::conv2d>()) {
                const auto& o = conv->options();
                const auto& w = conv->window();
                const std::size_t C = in_shape[0], H = in_shape[1], W = in_shape[2], Ho = shape[1], Wo = shape[2];
                const std::size_t cg = C / o.groups, og = o.out_channels / o.groups;
                const std::size_t kh = w.kernel[0], kw = w.kernel[1];
                const float* Wt = conv->weight().data();
                const auto weight_at = [&](std::size_t oc, std::size_t cl, std::size_t r, std::size_t q) {
                    return Wt[((oc * cg + cl) * kh + r) * kw + q];
                };
                const auto input_row = [&](std::size_t i, std::size_t r) { return sdiff(i * w.stride[0] + r * w.dilation[0], w.pad_begin[0]); };
                const auto input_col = [&](std::size_t j, std::size_t q) { return sdiff(j * w.stride[1] + q * w.dilation[1], w.pad_begin[1]); };
                const auto inside = [&](std::ptrdiff_t ii, std::ptrdiff_t jj) {
                    return ii >= 0 && jj >= 0 && ii < static_cast<std::ptrdiff_t>(H) && jj < static_cast<std::ptrdiff_t>(W);
                };
                if constexpr (channel_policy<P>) {
                    const std::size_t oc = n, g0 = oc / og * cg;
                    std::vector<float> score(cg);
                    for (std::size_t cl = 0; cl < cg; ++cl) {
                        float best = 0.0f;
                        for (std::size_t i = 0; i < Ho; ++i)
                            for (std::size_t j = 0; j < Wo; ++j) {
                                float s = 0.0f;
                                for (std::size_t r = 0; r < kh; ++r)
                                    for (std::size_t q = 0; q < kw; ++q) {
                                        const auto ii = input_row(i, r), jj = input_col(j, q);
                                        if (inside(ii, jj)) s += weight_at(oc, cl, r, q) * x[0][(g0 + cl) * H * W + ii * W + jj];
                                    }
                                best = std::max(best, s);
                            }
                        score[cl] = best;
                    }
                    for (const pick& pk : ref_select(score, thr)) add_synapse(preds[0], oc, g0 + pk.position, pk.weight);
                } else {
                    const std::size_t oc = n / (Ho * Wo), i = n % (Ho * Wo) / Wo, j = n % Wo, g0 = oc / og * cg;
                    std::vector<float> z;
                    std::vector<std::ptrdiff_t> where;
                    for (std::size_t cl = 0; cl < cg; ++cl)
                        for (std::size_t r = 0; r < kh; ++r)
                            for (std::size_t q = 0; q < kw; ++q) {
                                const auto ii = input_row(i, r), jj = input_col(j, q);
                                const bool in = inside(ii, jj);
                                z.push_back(weight_at(oc, cl, r, q) * (in ? x[0][(g0 + cl) * H * W + ii * W + jj] : 0.0f));
                                where.push_back(in ? static_cast<std::ptrdiff_t>((g0 + cl) * H * W + ii * W + jj) : -1);
                            }
                    for (const pick& pk : ref_select(z, thr))
                        if (where[pk.position] >= 0) add_synapse(preds[0], n, static_cast<std::size_t>(where[pk.position]), pk.weight);
                }
            } else if (const auto* lin = first.layer->get_if<xddp::linear>()) {
                const std::size_t K = x[0].size();
                const auto y = head;
                std::vector<float> z(K);
                for (std::size_t k = 0; k < K; ++k) {
                    const float v = x[0][k] * lin->weight().data()[n * K + k];
                    z[k] = v > 0 ? v : 0.0f;
                }
                const float bias = lin->options().bias ? lin->bias().data()[n] : 0.0f;
                for (const pick& pk : ref_select_linear(z, static_cast<float>(thr) * y[n], bias)) {
                    const bool by_channel = channel_policy<P> && in_shape.size() == 3;
                    add_synapse(preds[0], n, by_channel ? pk.position / (in_shape[1] * in_shape[2]) : pk.position, pk.weight);
                }
            } else if (first.layer->kind() == "add") {
                const bool by_channel = channel_policy<P> && in_shape.size() == 3;
                const std::size_t plane = by_channel ? in_shape[1] * in_shape[2] : 1;
                float m1 = -std::numeric_limits<float>::infinity(), m2 = m1;
                for (std::size_t k = n * plane; k < (n + 1) * plane; ++k) {
                    m1 = std::max(m1, x[0][k]);
                    m2 = std::max(m2, x[1][k]);
                }
                add_synapse(m1 > m2 ? preds[0] : preds[1], n, n, 1.0);
            } else if (channel_policy<P>) {  // the pools: identity
                add_synapse(preds[0], n, n, 1.0);
            } else {
                const std::size_t H = in_shape[1], W = in_shape[2], Ho = shape[1], Wo = shape[2];
                const std::size_t c = n / (Ho * Wo), i = n % (Ho * Wo) / Wo, j = n % Wo;
                const float* plane = x[0].data() + c * H * W;
                if (const auto* mp = first.layer->get_if<xddp::max_pool2d>()) {
                    const auto& w = mp->window();
                    std::ptrdiff_t best = -1;
                    for (std::size_t r = 0; r < w.kernel[0]; ++r)
                        for (std::size_t q = 0; q < w.kernel[1]; ++q) {
                            const auto ii = sdiff(i * w.stride[0] + r * w.dilation[0], w.pad_begin[0]);
                            const auto jj = sdiff(j * w.stride[1] + q * w.dilation[1], w.pad_begin[1]);
                            if (ii < 0 || jj < 0 || ii >= static_cast<std::ptrdiff_t>(H) || jj >= static_cast<std::ptrdiff_t>(W)) continue;
                            const std::ptrdiff_t at = ii * static_cast<std::ptrdiff_t>(W) + jj;
                            if (best < 0 || plane[at] > plane[best]) best = at;
                        }
                    if (best >= 0 && plane[best] != 0.0f) add_synapse(preds[0], n, c * H * W + static_cast<std::size_t>(best), plane[best]);
                } else {
                    std::size_t r0, r1, q0, q1;
                    float divisor;
                    if (first.layer->get_if<xddp::adaptive_avg_pool2d>()) {
                        r0 = static_cast<std::size_t>(std::floor(double(i * H) / double(Ho)));
                        r1 = static_cast<std::size_t>(std::ceil(double((i + 1) * H) / double(Ho)));
                        q0 = static_cast<std::size_t>(std::floor(double(j * W) / double(Wo)));
                        q1 = static_cast<std::size_t>(std::ceil(double((j + 1) * W) / double(Wo)));
                        divisor = static_cast<float>((r1 - r0) * (q1 - q0));
                    } else {  // PyTorch's avg_pool2d: the window clipped to the padded input, then to the input
                        const auto* ap = first.layer->get_if<xddp::avg_pool2d>();
                        const auto& w = ap->window();
                        std::ptrdiff_t hs = sdiff(i * w.stride[0], w.pad_begin[0]), ws = sdiff(j * w.stride[1], w.pad_begin[1]);
                        std::ptrdiff_t he = std::min<std::ptrdiff_t>(hs + static_cast<std::ptrdiff_t>(w.kernel[0]), static_cast<std::ptrdiff_t>(H + w.pad_end[0]));
                        std::ptrdiff_t we = std::min<std::ptrdiff_t>(ws + static_cast<std::ptrdiff_t>(w.kernel[1]), static_cast<std::ptrdiff_t>(W + w.pad_end[1]));
                        const std::ptrdiff_t pool = (he - hs) * (we - ws);
                        hs = std::max<std::ptrdiff_t>(hs, 0);
                        ws = std::max<std::ptrdiff_t>(ws, 0);
                        he = std::min<std::ptrdiff_t>(he, static_cast<std::ptrdiff_t>(H));
                        we = std::min<std::ptrdiff_t>(we, static_cast<std::ptrdiff_t>(W));
                        r0 = static_cast<std::size_t>(hs), r1 = static_cast<std::size_t>(he);
                        q0 = static_cast<std::size_t>(ws), q1 = static_cast<std::size_t>(we);
                        divisor = static_cast<float>(ap->options().count_include_pad ? pool : (he - hs) * (we - ws));
                    }
                    std::vector<float> v;
                    std::vector<std::size_t> where;
                    for (std::size_t r = r0; r < r1; ++r)
                        for (std::size_t q = q0; q < q1; ++q) {
                            v.push_back(std::max(plane[r * W + q], 0.0f) / divisor);
                            where.push_back(c * H * W + r * W + q);
                        }
                    for (const pick& pk : ref_select(v, thr)) add_synapse(preds[0], n, where[pk.position], pk.weight);
                }
            }
        }
    }
    // Section 5: counts = own influential indicator + column sums of the successors' synapse counts.
    for (std::size_t L : ltp) {
        for (std::size_t p : layers[L].predecessors) {
            out[p].present = true;
            out[p].count.resize(ref_neurons<P>(layers[p].shape));
        }
        out[L].count.resize(ref_neurons<P>(layers[L].shape));
    }
    for (std::size_t L : ltp) {
        for (const pick& pk : influential[L]) out[L].count[pk.position] += 1;
        for (const auto& [from, set] : out[L].synapses)
            for (const auto& [key, w] : set) out[from].count[key.second] += 1;
    }
    return out;
}

// Compares a profile with the reference: same layers, counts, weights, synapses.
void check_against_reference(const xddp::profile& p, const std::vector<ref_layer>& ref) {
    std::size_t expected_layers = 0;
    for (const auto& r : ref) expected_layers += r.present;
    REQUIRE(p.layers.size() == expected_layers);
    for (const auto& l : p.layers) {
        INFO("layer " << l.index << " " << l.name);
        const ref_layer& r = ref.at(l.index);
        REQUIRE(r.present);
        CHECK(l.profiled == r.profiled);
        CHECK(l.neurons.size == r.count.size());
        std::vector<std::size_t> index;
        std::vector<std::uint64_t> count;
        for (std::size_t k = 0; k < r.count.size(); ++k)
            if (r.count[k]) {
                index.push_back(k);
                count.push_back(r.count[k]);
            }
        CHECK(l.neurons.index == index);
        CHECK(l.neurons.count == count);
        if (!r.profiled) {
            CHECK(l.neurons.weight.empty());
            CHECK(l.synapses.empty());
            continue;
        }
        REQUIRE(l.neurons.weight.size() == l.neurons.index.size());
        for (std::size_t k = 0; k < l.neurons.index.size(); ++k)
            CHECK(l.neurons.weight[k] == doctest::Approx(r.weight[l.neurons.index[k]]).epsilon(1e-6));
        REQUIRE(l.synapses.size() == r.synapses.size());
        for (const auto& s : l.synapses) {
            INFO("from " << s.from);
            const auto& rs = r.synapses.at(s.from);
            REQUIRE(s.size() == rs.size());
            std::size_t k = 0;
            for (const auto& [key, w] : rs) {
                CHECK(s.out[k] == key.first);
                CHECK(s.in[k] == key.second);
                CHECK(s.count[k] == 1);
                CHECK(s.weight[k] == doctest::Approx(w).epsilon(1e-6));
                ++k;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Models with what DDP ignores.

void randomize(xddp::graph& g, std::uint64_t seed) {
    xddp::seed_weights(g, seed);
    std::mt19937 rng(static_cast<unsigned>(seed) + 17);
    std::uniform_real_distribution<float> u(-0.5f, 0.5f);
    for (xddp::node_id id = 1; id < g.size(); ++id) {
        xddp::node& n = g.at(id);
        if (n.layer->kind() != "batch_norm") continue;
        for (auto& prm : n.layer->parameters())  // weight, bias, running_mean: random; running_var positive
            for (std::size_t k = 0; k < xddp::element_count(prm.shape); ++k)
                prm.data[k] = prm.name == "running_var" ? 0.5f + (u(rng) + 0.5f) : (prm.name == "weight" ? 1.0f + u(rng) : u(rng));
    }
}

// conv (groups 2, 3x2 kernel, stride (2, 1), asymmetric padding, dilation (1, 2)) -> relu -> max pool (2x3,
// stride 2, padding 1, dilation (2, 1), ceil_mode) -> grouped 1x3 conv -> BN -> relu -> avg pool (2x3,
// stride 2, padding 1, ceil_mode) -> adaptive pool 3x3 -> 2x2 (overlapping windows) -> flatten -> linear
// -> relu -> linear.
xddp::graph chain_model(bool count_include_pad) {
    using namespace xddp;
    return sequential({4, 12, 9})
        .then("conv_a", conv2d({.in_channels = 4, .out_channels = 6, .kernel = {3, 2}, .stride = {2, 1}, .padding = {1, 0},
                                .padding_end = pair_t{0, 1}, .dilation = {1, 2}, .groups = 2}))
        .then("relu_a", relu{})
        .then("pool_max", max_pool2d({.kernel = {2, 3}, .stride = pair_t{2, 2}, .padding = {1, 1}, .dilation = {2, 1}, .ceil_mode = true}))
        .then("conv_b", conv2d({.in_channels = 6, .out_channels = 4, .kernel = {1, 3}, .padding = {0, 1}, .groups = 2}))
        .then("bn_b", batch_norm(4))
        .then("relu_b", relu{})
        .then("pool_avg", avg_pool2d({.kernel = {2, 3}, .stride = pair_t{2, 2}, .padding = {1, 1}, .ceil_mode = true,
                                      .count_include_pad = count_include_pad}))
        .then("pool_adaptive", adaptive_avg_pool2d({2, 2}))
        .then("flatten", flatten{})
        .then("fc_a", linear({.in_features = 16, .out_features = 7}))
        .then("relu_fc", relu{})
        .then("fc_b", linear({.in_features = 7, .out_features = 5}))
        .build();
}

// A residual block with a dilated conv branch, then a strided conv, a non-dividing adaptive pool (4x4 -> 3x2)
// and a linear layer reading the pool's (C, H, W) output directly.
xddp::graph residual_model() {
    using namespace xddp;
    graph g({3, 7, 7});
    node_id a = g.add("stem", conv2d({.in_channels = 3, .out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}}), g.input());
    a = g.add("stem_relu", relu{}, a);
    node_id b = g.add("branch", conv2d({.in_channels = 4, .out_channels = 4, .kernel = {3, 3}, .padding = {2, 2},
                                        .dilation = {2, 2}, .bias = false}), a);
    b = g.add("branch_bn", batch_norm(4), b);
    node_id s = g.add("sum", add{}, b, a);  // inputs in the other order than the predecessors
    s = g.add("sum_relu", relu{}, s);
    node_id c = g.add("down", conv2d({.in_channels = 4, .out_channels = 6, .kernel = {3, 3}, .stride = {2, 2}, .padding = {1, 1}}), s);
    c = g.add("down_relu", relu{}, c);
    c = g.add("pool", adaptive_avg_pool2d({3, 2}), c);
    g.add("fc", linear({.in_features = 36, .out_features = 5}), c);
    return g;
}

xt::xarray<float> random_input(const xddp::graph& g, std::size_t batch, unsigned seed) {
    xddp::shape_t shape{batch};
    shape.insert(shape.end(), g.input_shape().begin(), g.input_shape().end());
    xt::xarray<float> x = xt::zeros<float>(shape);
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd;
    for (auto& v : x) v = nd(rng);
    return x;
}

template <xddp::neuron_policy P>
void check_model(const xddp::graph& g, const xddp::activations& acts, std::size_t sample, double thr,
                 std::optional<std::vector<std::size_t>> ltp = std::nullopt) {
    const auto layers = xddp::layer_groups(g);
    std::vector<std::size_t> chosen;
    if (ltp) {
        for (std::size_t k : *ltp)
            if (k > 0) chosen.push_back(k);
        std::sort(chosen.begin(), chosen.end());
        chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    } else {
        for (std::size_t k = 1; k < layers.size(); ++k) chosen.push_back(k);
    }
    xddp::profile_options opt;
    opt.threshold = thr;
    opt.layers = ltp ? xddp::layer_selection::only(*ltp) : xddp::layer_selection::all();
    const xddp::profile p = xddp::contribution_profile<P>(g, layers, acts, sample, opt);
    CHECK(p.neuron_type == xddp::neuron_type_of<P>);
    CHECK(p.num_inputs == 1);
    check_against_reference(p, reference_profile<P>(g, layers, acts, sample, thr, chosen));
}

const double thresholds[] = {0.05, 0.2, 0.5, 0.9, 1.0};

}  // namespace

TEST_CASE("selection rule: partial sorting equals a full stable sort, ties in index order") {
    std::mt19937 rng(7);
    xddp::selection_scratch scratch;
    std::vector<xddp::selected> got;
    for (int trial = 0; trial < 400; ++trial) {
        const std::size_t n = 1 + rng() % 300;
        std::vector<float> v(n);
        const bool ties = trial % 2 == 0;  // many equal scores, and zeros
        for (auto& x : v) x = ties ? static_cast<float>(rng() % 4) * 0.25f : std::exponential_distribution<float>(1.0f)(rng);
        for (double thr : thresholds) {
            xddp::cumulative_select(v, thr, got, scratch);
            const auto want = ref_select(v, thr);
            REQUIRE(got.size() == want.size());
            for (std::size_t k = 0; k < got.size(); ++k) {
                CHECK(got[k].position == want[k].position);
                CHECK(got[k].weight == want[k].weight);
            }
            // Signed values: the conv element variant.
            std::vector<float> s = v;
            for (std::size_t k = 0; k < n; k += 3) s[k] = -s[k];
            xddp::cumulative_select_signed(s, thr, got, scratch);
            const auto want_s = ref_select(s, thr);
            REQUIRE(got.size() == want_s.size());
            for (std::size_t k = 0; k < got.size(); ++k) CHECK(got[k].position == want_s[k].position);
            // The linear variant with a bias.
            const float goal = static_cast<float>(thr) * 3.0f, bias = 0.25f;
            xddp::cumulative_select_biased(v, goal, bias, got, scratch);
            const auto want_l = ref_select_linear(v, goal, bias);
            REQUIRE(got.size() == want_l.size());
            for (std::size_t k = 0; k < got.size(); ++k) CHECK(got[k].position == want_l[k].position);
        }
    }
}

TEST_CASE("selection rule: worked examples from the spec") {
    // v = (1, 3, 2, 4): sorted 4, 3, 2, 1; cs = 4, 7, 9, 10; cs/last = .4, .7, .9, 1.
    const std::vector<float> v{1, 3, 2, 4};
    // thr 0.5: a = 1 (only .4 passes); accept entries 0..1 = {4, 3}; weights 4/7, 3/7.
    auto s = xddp::cumulative_select(v, 0.5);
    REQUIRE(s.size() == 2);
    CHECK(s[0].position == 3);
    CHECK(s[0].weight == 4.0f / 7.0f);
    CHECK(s[1].position == 1);
    CHECK(s[1].weight == 3.0f / 7.0f);
    // thr 0.3: a = 0; accept the top entry alone, weight 1.
    s = xddp::cumulative_select(v, 0.3);
    REQUIRE(s.size() == 1);
    CHECK(s[0].weight == 1.0f);
    // thr 1: a = 4 = clip, so a = 3: everything, weights v / 10.
    s = xddp::cumulative_select(v, 1.0);
    CHECK(s.size() == 4);
    // Zeros are dropped; all-zero scores select nothing.
    CHECK(xddp::cumulative_select(std::vector<float>{0, 5, 0}, 1.0).size() == 1);
    CHECK(xddp::cumulative_select(std::vector<float>{0, 0}, 0.5).empty());
    // Ties: equal scores in index order.
    s = xddp::cumulative_select(std::vector<float>{2, 2, 2, 2}, 0.3);
    REQUIRE(s.size() == 2);  // cs/last = .25, .5, ...: a = 1, entries 0, 1
    CHECK(s[0].position == 0);
    CHECK(s[1].position == 1);
    // Signed: sum <= 0 means no contributors.
    CHECK(xddp::cumulative_select_signed(std::vector<float>{1, -2}, 0.5).empty());
}

TEST_CASE("contribution rules match the naive reference: groups, dilation, asymmetric padding, ceil_mode, pools") {
    for (const bool include_pad : {true, false}) {
        xddp::graph g = chain_model(include_pad);
        for (std::uint64_t seed = 0; seed < 4; ++seed) {
            randomize(g, seed);
            const auto x = random_input(g, 2, static_cast<unsigned>(seed));
            const auto acts = g.forward(x, xddp::keep::all);
            for (double thr : thresholds)
                for (std::size_t sample = 0; sample < 2; ++sample) {
                    INFO("count_include_pad " << include_pad << " seed " << seed << " threshold " << thr << " sample " << sample);
                    check_model<xddp::channel_neurons>(g, acts, sample, thr);
                    check_model<xddp::element_neurons>(g, acts, sample, thr);
                }
        }
    }
}

TEST_CASE("contribution rules match the naive reference: residual add, dilated branch, linear on a (C, H, W) input") {
    xddp::graph g = residual_model();
    for (std::uint64_t seed = 0; seed < 6; ++seed) {
        randomize(g, seed);
        const auto x = random_input(g, 1, static_cast<unsigned>(seed) + 100);
        const auto acts = g.forward(x, xddp::keep::all);
        for (double thr : thresholds) {
            INFO("seed " << seed << " threshold " << thr);
            check_model<xddp::channel_neurons>(g, acts, 0, thr);
            check_model<xddp::element_neurons>(g, acts, 0, thr);
        }
    }
}

TEST_CASE("layers_to_profile: listed layers get influence and synapses, their predecessors counts only") {
    xddp::graph g = residual_model();
    randomize(g, 3);
    const auto acts = g.forward(random_input(g, 1, 5), xddp::keep::all);
    const std::vector<std::vector<std::size_t>> lists{{3}, {2, 4}, {0, 1}, {2, 3, 4}, {4, 4, 1}};
    for (const auto& list : lists) {
        check_model<xddp::channel_neurons>(g, acts, 0, 0.3, list);
        check_model<xddp::element_neurons>(g, acts, 0, 0.3, list);
    }
    // The add layer (3) alone: it and both its predecessors (1 and 2) are in the profile.
    xddp::profile_options opt;
    opt.layers = xddp::layer_selection::only({3});
    const auto p = xddp::contribution_profile<xddp::channel_neurons>(g, xddp::layer_groups(g), acts, 0, opt);
    REQUIRE(p.layers.size() == 3);
    CHECK(p.layers[0].index == 1);
    CHECK_FALSE(p.layers[0].profiled);
    CHECK(p.layers[2].profiled);
    CHECK(p.layers[2].synapses.size() == 2);
    // none() profiles nothing; range() is DDP's tuple form; `.layers = {}` is all(), said by name in the type.
    opt.layers = xddp::layer_selection::none();
    CHECK(xddp::contribution_profile<xddp::channel_neurons>(g, xddp::layer_groups(g), acts, 0, opt).layers.empty());
    CHECK(xddp::layer_selection::range(2, 5) == xddp::layer_selection::only({2, 3, 4}));
    CHECK(xddp::layer_selection::range(2, 5).indices() == std::vector<std::size_t>{2, 3, 4});
    const xddp::profile_options braces{.threshold = 0.3, .layers = {}};
    CHECK(braces.layers.is_all());
    CHECK(braces.layers == xddp::layer_selection::all());
    CHECK_FALSE(xddp::layer_selection::none().is_all());
    CHECK(xddp::layer_selection::none() != xddp::layer_selection::all());
    static_assert(!std::is_convertible_v<std::vector<std::size_t>, xddp::layer_selection>,
                  "a bare list must not silently mean a selection (issue 20: {} vs vector{})");
}

TEST_CASE("one batched forward pass, profiles of its samples computed in parallel") {
    xddp::graph g = chain_model(true);
    randomize(g, 11);
    const std::size_t batch = 6;
    const auto acts = g.forward(random_input(g, batch, 12), xddp::keep::all);
    const auto layers = xddp::layer_groups(g);
    xddp::profile_options opt;
    opt.threshold = 0.3;
    std::vector<xddp::profile> parallel(batch), serial(batch);
    xddp::parallel_for(0, batch, [&](std::size_t s) {
        parallel[s] = xddp::contribution_profile<xddp::element_neurons>(g, layers, acts, s, opt);
    });
    xddp::profile class_profile;
    for (std::size_t s = 0; s < batch; ++s) {
        serial[s] = xddp::contribution_profile<xddp::element_neurons>(g, layers, acts, s, opt);
        CHECK(parallel[s] == serial[s]);
        class_profile += parallel[s];
    }
    CHECK(class_profile.num_inputs == batch);
    std::uint64_t total = 0;
    for (const auto& p : serial) total += p.total();
    CHECK(class_profile.total() == total);
}

TEST_CASE("bad inputs: thresholds, NaN activations, unsupported layers, activations not kept") {
    xddp::graph g = residual_model();
    randomize(g, 1);
    const auto layers = xddp::layer_groups(g);
    const auto x = random_input(g, 1, 9);
    const auto acts = g.forward(x, xddp::keep::all);
    xddp::profile_options opt;
    for (double bad : {0.0, 1.5, -0.1, std::nan(""), std::numeric_limits<double>::infinity()}) {
        opt.threshold = bad;
        CHECK_THROWS_AS(xddp::contribution_profile<xddp::channel_neurons>(g, layers, acts, 0, opt), xddp::value_error);
        CHECK_THROWS_AS(xddp::contribution_profile<xddp::element_neurons>(g, layers, acts, 0, opt), xddp::value_error);
    }
    opt.threshold = 0.1;
    CHECK_THROWS_AS(xddp::contribution_profile<xddp::channel_neurons>(g, layers, acts, 1, opt), xddp::value_error);  // sample
    opt.layers = xddp::layer_selection::only({9});
    CHECK_THROWS_AS(xddp::contribution_profile<xddp::channel_neurons>(g, layers, acts, 0, opt), xddp::value_error);
    opt.layers = xddp::layer_selection::all();
    const auto only_output = g.forward(x, xddp::keep::output);
    CHECK_THROWS_AS(xddp::contribution_profile<xddp::channel_neurons>(g, layers, only_output, 0, opt), xddp::value_error);

    // NaN in a weight stops the forward pass at the layer whose output first holds it (graph.hpp's rule).
    xddp::graph bad = g;
    bad.at(*bad.find("down")).layer->parameters()[0].data[3] = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH_AS(bad.forward(x, xddp::keep::all), doctest::Contains("layer 'down' (conv2d): its output holds NaN"),
                         xddp::value_error);
    // Activations from elsewhere (another runtime, a device) holding NaN: reported with the layer's name.
    auto bad_acts = acts;
    bad_acts.values[*g.find("down")].data()[3] = std::numeric_limits<float>::quiet_NaN();
    try {
        (void)xddp::contribution_profile<xddp::element_neurons>(g, layers, bad_acts, 0, opt);
        FAIL("expected a value_error");
    } catch (const xddp::value_error& e) {
        CHECK(std::string(e.what()).find("'down'") != std::string::npos);
        CHECK(std::string(e.what()).find("NaN") != std::string::npos);
    }

    // A user node with no profile role (opaque) after a conv layer: a layer of its own, refused by name.
    xddp::graph custom = xddp::sequential({2, 5, 5})
                             .then("conv", xddp::conv2d({.in_channels = 2, .out_channels = 3, .kernel = {3, 3}}))
                             .then("strange", user_scale_layer{1.0f})
                             .then("fc", xddp::linear({.in_features = 27, .out_features = 2}))
                             .build();
    xddp::seed_weights(custom, 2);
    const auto cx = random_input(custom, 1, 3);
    try {
        (void)xddp::contribution_profile<xddp::channel_neurons>(custom, cx);
        FAIL("expected an unsupported_error");
    } catch (const xddp::unsupported_error& e) {
        CHECK(std::string(e.what()).find("'strange'") != std::string::npos);
    }
    // Profiling only the linear layer (layer 3, after 'strange') does not need the user layer's rule.
    CHECK(xddp::layer_groups(custom).size() == 4);
    opt.layers = xddp::layer_selection::only({3});
    const auto cacts = custom.forward(cx, xddp::keep::all);
    CHECK_NOTHROW((void)xddp::contribution_profile<xddp::channel_neurons>(custom, xddp::layer_groups(custom), cacts, 0, opt));
}
