// Issue 15: the ONNX patterns of torchvision's CNN zoo, one small network each, built from torchvision's own
// blocks and exported by torch (tests/data/torchvision_blocks, made by scripts/make_fixtures.py). Each must
// import, give torch's logits for its 3 inputs, and profile under both neuron policies into profiles that
// hold the invariants of shared/tools/validate_profile.py and the count rule of specs/ddp.md section 5.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <xddp/io/onnx.hpp>
#include <xddp/xddp.hpp>

namespace fs = std::filesystem;

namespace {

const fs::path fixture_dir = fs::path(XDDP_SOURCE_DIR) / "tests" / "data" / "torchvision_blocks";

// Every fixture scripts/make_fixtures.py makes; the folder must hold exactly these.
const std::vector<std::string> fixture_names = {
    "densenet_block",        "googlenet_inception",   "googlenet_transform_input", "inception_v3_a",
    "inception_v3_b",        "inception_v3_c",        "inception_v3_e",            "squeezenet_fire",
    "shufflenet_v2_stride1", "shufflenet_v2_stride2", "mobilenet_v3_blocks",       "efficientnet_mbconv",
    "efficientnet_v2_fused", "regnet_y_blocks",       "conv_sigmoid",              "conv_hardsigmoid",
    "conv_tanh",             "conv_gelu",             "max_head",                  "softmax_output",
    "resnet_blocks",         "mobilenet_v2_blocks",   "zero_pad_conv"};

// Neurons of a layer of this shape under the policy: channels of a (C, H, W) layer, else every element.
template <xddp::neuron_policy P>
std::size_t neuron_range(const xddp::shape_t& shape) {
    if (std::same_as<P, xddp::channel_neurons> && shape.size() == 3) return shape[0];
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

// The invariants every single-input profile of this graph holds (validate_profile.py's, plus the layers of
// layer_groups and the section-5 counts: a neuron's count is 1 if it is influential plus the number of
// synapses its successors draw from it). Returns whether the output layer has influential neurons (it has
// none where every logit is <= 0).
template <xddp::neuron_policy P>
bool check_profile(const xddp::profile& p, const std::vector<xddp::layer_group>& groups) {
    CHECK(p.neuron_type == xddp::neuron_type_of<P>);
    CHECK(p.num_inputs == 1);
    REQUIRE(p.layers.size() == groups.size());
    std::vector<std::map<std::size_t, std::uint64_t>> drawn(groups.size());  // per layer: neuron -> synapse count
    for (std::size_t k = 0; k < p.layers.size(); ++k) {
        const xddp::layer_profile& l = p.layers[k];
        INFO("layer " << k << " '" << l.name << "' (" << l.kind << ")");
        CHECK(l.index == k);
        CHECK(l.kind == groups[k].kind);
        CHECK(l.shape == groups[k].shape);
        CHECK(l.predecessors == groups[k].predecessors);
        const std::size_t size = neuron_range<P>(l.shape);
        CHECK(l.neurons.size == size);
        const auto& idx = l.neurons.index;
        REQUIRE(l.neurons.count.size() == idx.size());
        CHECK(std::adjacent_find(idx.begin(), idx.end(), std::greater_equal<>()) == idx.end());
        CHECK((idx.empty() || idx.back() < size));
        CHECK(std::all_of(l.neurons.count.begin(), l.neurons.count.end(), [](auto c) { return c >= 1; }));
        if (k == 0) {
            CHECK(!l.profiled);
            CHECK(l.neurons.weight.empty());
            CHECK(l.synapses.empty());
            continue;
        }
        CHECK(l.profiled);
        REQUIRE(l.neurons.weight.size() == idx.size());
        double sum = 0.0;
        for (double w : l.neurons.weight) {
            CHECK((w >= 0.0 && w <= 1.0 + 1e-6));
            sum += w;
        }
        // The weights of the influential neurons sum to 1 wherever the layer has any.
        if (sum > 0.0) CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
        CHECK(l.synapses.size() <= l.predecessors.size());
        const std::set<std::size_t> members(idx.begin(), idx.end());
        for (const xddp::synapse_set& s : l.synapses) {
            INFO("synapses from layer " << s.from);
            REQUIRE(std::find(l.predecessors.begin(), l.predecessors.end(), s.from) != l.predecessors.end());
            REQUIRE(s.in.size() == s.size());
            REQUIRE(s.count.size() == s.size());
            REQUIRE(s.weight.size() == s.size());
            const xddp::layer_profile& from = p.layers[s.from];
            const std::set<std::size_t> from_members(from.neurons.index.begin(), from.neurons.index.end());
            for (std::size_t i = 0; i < s.size(); ++i) {
                if (i > 0) CHECK(std::pair(s.out[i - 1], s.in[i - 1]) < std::pair(s.out[i], s.in[i]));
                CHECK(members.count(s.out[i]) == 1);
                CHECK(from_members.count(s.in[i]) == 1);
                CHECK(s.count[i] >= 1);
                CHECK((std::isfinite(s.weight[i]) && s.weight[i] > 0.0));
                if (std::same_as<P, xddp::channel_neurons>) CHECK(s.weight[i] <= 1.0 + 1e-6);
                drawn[s.from][s.in[i]] += s.count[i];
            }
        }
    }
    for (std::size_t k = 0; k < p.layers.size(); ++k) {
        const xddp::layer_profile& l = p.layers[k];
        INFO("counts of layer " << k << " '" << l.name << "'");
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < l.neurons.index.size(); ++i) {
            const bool influential = k > 0 && l.neurons.weight[i] > 0.0;
            const auto it = drawn[k].find(l.neurons.index[i]);
            wrong += l.neurons.count[i] != (influential ? 1u : 0u) + (it == drawn[k].end() ? 0u : it->second);
        }
        CHECK(wrong == 0);
    }
    const auto& out = p.layers.back().neurons.weight;
    return std::any_of(out.begin(), out.end(), [](double w) { return w > 0.0; });
}

// Imports the fixture, checks its logits against torch's and profiles each of its inputs under both policies.
void check_block(const std::string& name) {
    const fs::path stem = fixture_dir / name;
    const xddp::graph g = xddp::io::load_onnx(stem.string() + ".onnx");
    const auto x = xddp::io::load_npy<float>(stem.string() + ".input.npy");
    const auto expected = xddp::io::load_npy<float>(stem.string() + ".output.npy");

    const auto acts = g.forward(x, xddp::keep::all);
    const xt::xarray<float> logits = acts.output();
    REQUIRE(std::vector<std::size_t>(logits.shape().begin(), logits.shape().end()) ==
            std::vector<std::size_t>(expected.shape().begin(), expected.shape().end()));
    double worst = 0.0, peak = 0.0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        worst = std::max(worst, std::abs(double(logits.data()[i]) - expected.data()[i]));
        peak = std::max(peak, std::abs(double(expected.data()[i])));
    }
    MESSAGE(name << ": max |logit - torch| " << worst << ", max |torch logit| " << peak);
    CHECK(worst <= 1e-4 * std::max(1.0, peak));

    const auto groups = xddp::layer_groups(g);
    std::size_t traced = 0;  // profiles that reach back from an influential output neuron
    for (std::size_t sample = 0; sample < x.shape()[0]; ++sample) {
        INFO("sample " << sample);
        traced += check_profile<xddp::channel_neurons>(
            xddp::contribution_profile<xddp::channel_neurons>(g, groups, acts, sample, {}), groups);
        traced += check_profile<xddp::element_neurons>(
            xddp::contribution_profile<xddp::element_neurons>(g, groups, acts, sample, {}), groups);
    }
    CHECK(traced > 0);
}

}  // namespace

TEST_CASE("torchvision blocks: the fixture folder holds the fixtures this file tests, each complete") {
    std::set<std::string> found;
    for (const auto& entry : fs::directory_iterator(fixture_dir)) {
        const std::string file = entry.path().filename().string();
        found.insert(file.substr(0, file.find('.')));
    }
    CHECK(found == std::set<std::string>(fixture_names.begin(), fixture_names.end()));
    for (const std::string& name : fixture_names)
        for (const char* ext : {".onnx", ".input.npy", ".output.npy"})
            CHECK_MESSAGE(fs::exists(fixture_dir / (name + ext)), name, ext);
}

// These two import on main before issue 15: they check this file's own harness.
TEST_CASE("torchvision block resnet_blocks: BasicBlock, ResNeXt Bottleneck with downsample") {
    check_block("resnet_blocks");
}

TEST_CASE("torchvision block mobilenet_v2_blocks: ReLU6 as Clip, inverted residual") {
    check_block("mobilenet_v2_blocks");
}

TEST_CASE("torchvision block densenet_block: Concat of 1, 2, 3 inputs, BatchNormalization after Concat, "
          "zero Pad before AveragePool") {
    check_block("densenet_block");
}

TEST_CASE("torchvision block googlenet_inception: four branches into Concat, MaxPool ceil_mode k3 s1 p1") {
    check_block("googlenet_inception");
}

TEST_CASE("torchvision block googlenet_transform_input: Gather, Unsqueeze, Mul, Add per channel, Concat") {
    check_block("googlenet_transform_input");
    // Each input channel: a channel_slice and one channel_scale with its shift, then the concat.
    const xddp::graph g = xddp::io::load_onnx((fixture_dir / "googlenet_transform_input.onnx").string());
    std::size_t slices = 0, shifted = 0;
    for (xddp::node_id id = 1; id < g.size(); ++id) {
        if (const auto* s = g[id].layer->get_if<xddp::channel_slice>()) {
            CHECK(s->begin() == slices++);
            CHECK(g[id].inputs == std::vector<xddp::node_id>{0});
        }
        if (const auto* s = g[id].layer->get_if<xddp::channel_scale>()) shifted += s->has_bias();
    }
    CHECK(slices == 3);
    CHECK(shifted == 3);
}

TEST_CASE("torchvision block inception_v3_a: Pad + AveragePool (count_include_pad), Concat") {
    check_block("inception_v3_a");
}

TEST_CASE("torchvision block inception_v3_b: a bare MaxPool branch into Concat") { check_block("inception_v3_b"); }

TEST_CASE("torchvision block inception_v3_c: 1x7 and 7x1 convolutions") { check_block("inception_v3_c"); }

// torch.cat of a list holding torch.cat outputs is exported as one Concat of 6 inputs.
TEST_CASE("torchvision block inception_v3_e: 1x3 / 3x1 branch pairs, one 6-input Concat, Pad + AveragePool") {
    check_block("inception_v3_e");
}

TEST_CASE("torchvision block squeezenet_fire: Fire Concat, conv classifier, pooled logits without a linear") {
    check_block("squeezenet_fire");
}

TEST_CASE("torchvision block shufflenet_v2_stride1: chunk as Slice of Shape arithmetic, channel shuffle, ReduceMean") {
    check_block("shufflenet_v2_stride1");
}

TEST_CASE("torchvision block shufflenet_v2_stride2: two branches on one input, Concat, channel shuffle") {
    check_block("shufflenet_v2_stride2");
}

TEST_CASE("torchvision block mobilenet_v3_blocks: hard-swish, SE with HardSigmoid gate, hard-swish on a vector") {
    check_block("mobilenet_v3_blocks");
}

TEST_CASE("torchvision block efficientnet_mbconv: SiLU, SE with SiLU and Sigmoid gate, residual") {
    check_block("efficientnet_mbconv");
}

TEST_CASE("torchvision block efficientnet_v2_fused: FusedMBConv with SiLU") { check_block("efficientnet_v2_fused"); }

TEST_CASE("torchvision block regnet_y_blocks: grouped conv, SE with ReLU and Sigmoid gate, residual") {
    check_block("regnet_y_blocks");
}

TEST_CASE("torchvision block conv_sigmoid: Sigmoid as an activation") { check_block("conv_sigmoid"); }

TEST_CASE("torchvision block conv_hardsigmoid: HardSigmoid as an activation") { check_block("conv_hardsigmoid"); }

TEST_CASE("torchvision block conv_tanh: Tanh") { check_block("conv_tanh"); }

TEST_CASE("torchvision block conv_gelu: GELU as Div, Erf, Add, Mul, Mul") { check_block("conv_gelu"); }

TEST_CASE("torchvision block max_head: ReduceMax global pool into Gemm") { check_block("max_head"); }

TEST_CASE("torchvision block softmax_output: Softmax over the classes") { check_block("softmax_output"); }

TEST_CASE("torchvision block zero_pad_conv: zero Pad (asymmetric, then symmetric) before a Conv") {
    // F.pad's pads arrive as shape plumbing (ConstantOfShape, Concat, Reshape, Slice with step -1, Transpose,
    // Reshape, Cast), folded at import; each Pad then folds into the Conv after it.
    check_block("zero_pad_conv");
    const xddp::graph g = xddp::io::load_onnx((fixture_dir / "zero_pad_conv.onnx").string());
    for (xddp::node_id id = 1; id < g.size(); ++id) CHECK(g[id].layer->kind() != "pad");
}