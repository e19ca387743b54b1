// ONNX import of the activations of modern CNNs (specs/ddp.md section 9), each on a hand-made model in the
// node pattern PyTorch 1.13's exporter writes at opset 13 (or 14), run and compared with the formula
// computed here; patterns that are not exactly PyTorch's give an unsupported_error naming the node.

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include <xddp/io/onnx.hpp>
#include <xddp/xddp.hpp>

#include "check_error.hpp"
#include "onnx_load.hpp"
#include "test_onnx_builder.hpp"

using namespace onnx_test;

namespace {


// A batch of the given shape with values of mixed signs; by default (2, 3, 4, 5).
xt::xarray<float> input_batch(std::size_t n = 2, std::size_t height = 4, std::size_t width = 5) {
    xt::xarray<float> x = xt::zeros<float>({n, std::size_t{3}, height, width});
    const auto values = ramp(x.size(), 0.13f);
    std::copy(values.begin(), values.end(), x.begin());
    return x;
}

// The graph's output on input_batch() against f applied to each element in double, within float roundings.
void check_elementwise(const xddp::graph& g, const std::function<double(double)>& f) {
    const auto x = input_batch();
    const auto y = g(x);
    REQUIRE(y.shape() == x.shape());
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("x = ", x.data()[i]);
        CHECK(std::abs(y.data()[i] - f(x.data()[i])) <= 1e-6 * std::max(1.0, std::abs(f(x.data()[i]))));
    }
}

// x (N, 3, 4, 5) -> one node of `op` -> y.
model_builder unary(const std::string& op, int opset = 13) {
    model_builder b(opset);
    b.input("x", {3, 4, 5}).output("y");
    b.node(op, {"x"}, {"y"}, "/act/" + op);
    return b;
}

}  // namespace

TEST_CASE("ONNX Sigmoid imports as sigmoid") {
    const auto g = load(unary("Sigmoid"));
    REQUIRE(g.size() == 2);
    CHECK(g[1].layer->kind() == "sigmoid");
    CHECK(g[1].name == "act");
    check_elementwise(g, [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
}

TEST_CASE("ONNX Tanh, HardSigmoid (alpha and beta, ONNX's defaults) and HardSwish (opset 14)") {
    const auto tanh = load(unary("Tanh"));
    CHECK(tanh[1].layer->kind() == "tanh");
    check_elementwise(tanh, [](double v) { return std::tanh(v); });

    auto torch_hard_sigmoid = unary("HardSigmoid");
    set_float(*torch_hard_sigmoid.graph().mutable_node(0), "alpha", 1.0f / 6.0f);  // as PyTorch writes Hardsigmoid
    const auto h = load(torch_hard_sigmoid);
    const auto* hs = h[1].layer->get_if<xddp::hard_sigmoid>();
    REQUIRE(hs);
    CHECK(hs->alpha == 1.0f / 6.0f);
    CHECK(hs->beta == 0.5f);
    check_elementwise(h, [](double v) { return std::clamp(v + 3.0, 0.0, 6.0) / 6.0; });

    const auto onnx_defaults = load(unary("HardSigmoid"));
    check_elementwise(onnx_defaults, [](double v) { return std::clamp(0.2 * v + 0.5, 0.0, 1.0); });
    auto both = unary("HardSigmoid");
    set_float(set_float(*both.graph().mutable_node(0), "alpha", 0.5f), "beta", 0.25f);
    check_elementwise(load(both), [](double v) { return std::clamp(0.5 * v + 0.25, 0.0, 1.0); });
    auto nan_alpha = unary("HardSigmoid");
    set_float(*nan_alpha.graph().mutable_node(0), "alpha", std::nanf(""));
    CHECK_ERROR(xddp::format_error, load(nan_alpha), "'/act/HardSigmoid'");

    const auto hard_swish = load(unary("HardSwish", 14));
    CHECK(hard_swish[1].layer->kind() == "hard_swish");
    check_elementwise(hard_swish, [](double v) { return v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0; });
}

TEST_CASE("ONNX Softmax imports over the channel axis only") {
    // (N, C) logits at opset 13 with the default axis -1, and at opset 11 with its default axis 1.
    for (const int opset : {11, 13}) {
        model_builder b(opset);
        b.input("x", {4}).output("y");
        b.node("Softmax", {"x"}, {"y"}, "/softmax/Softmax");
        const auto g = load(b);
        CHECK(g[1].layer->kind() == "softmax");
        const xt::xarray<float> x = {{1.0f, -2.0f, 0.5f, 3.0f}};
        const auto y = g(x);
        const double sum = std::exp(1.0) + std::exp(-2.0) + std::exp(0.5) + std::exp(3.0);
        for (std::size_t c = 0; c < 4; ++c) CHECK(y(0, c) == doctest::Approx(std::exp(double(x(0, c))) / sum));
    }
    // (N, C, H, W) with axis 1 (or -3) at opset 13: over the channels at each position.
    for (const std::int64_t axis : {1, -3}) {
        auto b = unary("Softmax");
        set_int(*b.graph().mutable_node(0), "axis", axis);
        const auto g = load(b);
        const auto x = input_batch();
        const auto y = g(x);
        for (std::size_t n = 0; n < 2; ++n)
            for (std::size_t p = 0; p < 20; ++p) {
                double sum = 0.0;
                for (std::size_t c = 0; c < 3; ++c) sum += std::exp(double(x.data()[(n * 3 + c) * 20 + p]));
                for (std::size_t c = 0; c < 3; ++c) {
                    const std::size_t i = (n * 3 + c) * 20 + p;
                    CHECK(y.data()[i] == doctest::Approx(std::exp(double(x.data()[i])) / sum));
                }
            }
    }
    // The last axis (opset 13's default) of a feature map; axis 1 before opset 13, which flattens C, H, W.
    CHECK_ERROR(xddp::unsupported_error, load(unary("Softmax")),
                "node '/act/Softmax' (Softmax, opset 13): softmax along axis -1 of (N, 3, 4, 5); xddp imports Softmax "
                "over the channel axis 1 only");
    auto flattened = unary("Softmax", 11);
    set_int(*flattened.graph().mutable_node(0), "axis", 1);
    CHECK_ERROR(xddp::unsupported_error, load(flattened), "softmax along axis 1 of (N, 3, 4, 5) (flattened from that axis on)");
    // A flattened feature map is one (N, 60) vector: softmax over all 60 values, not per channel.
    model_builder flat;
    flat.input("x", {3, 4, 5}).output("y");
    set_int(flat.node("Flatten", {"x"}, {"f"}, "/Flatten"), "axis", 1);
    flat.node("Softmax", {"f"}, {"y"}, "/softmax/Softmax");
    const auto g = load(flat);
    REQUIRE(g.size() == 3);
    CHECK(g[1].layer->kind() == "flatten");
    const auto x = input_batch(1);
    double sum = 0.0;
    for (const float v : x) sum += std::exp(double(v));
    CHECK(g(x)(0, 7) == doctest::Approx(std::exp(double(x.data()[7])) / sum));
}

namespace {

// x -> Div(x, sqrt 2) -> Erf -> Add 1 -> Mul x -> Mul 0.5 -> y as PyTorch 1.13 writes nn.GELU() at opset 13,
// each constant a Constant node just before the node reading it.
void add_gelu_nodes(model_builder& b, const std::string& x, const std::string& y) {
    set_tensor(b.node("Constant", {}, {"c0"}, "/act/Constant"), "value", float_tensor("", {}, {1.41421356f}));
    b.node("Div", {x, "c0"}, {"d"}, "/act/Div");
    b.node("Erf", {"d"}, {"e"}, "/act/Erf");
    set_tensor(b.node("Constant", {}, {"c1"}, "/act/Constant_1"), "value", float_tensor("", {}, {1.0f}));
    b.node("Add", {"e", "c1"}, {"a"}, "/act/Add");
    b.node("Mul", {x, "a"}, {"m"}, "/act/Mul");
    set_tensor(b.node("Constant", {}, {"c2"}, "/act/Constant_2"), "value", float_tensor("", {}, {0.5f}));
    b.node("Mul", {"m", "c2"}, {y}, "/act/Mul_1");
}

// The GELU of x (N, 3, 4, 5) alone; `edit` may change any node afterwards.
model_builder gelu_model(const std::function<void(model_builder&)>& edit = {}) {
    model_builder b;
    b.input("x", {3, 4, 5}).output("y");
    add_gelu_nodes(b, "x", "y");
    if (edit) edit(b);
    return b;
}

pb::NodeProto& node_named(model_builder& b, const std::string& name) {
    for (auto& n : *b.graph().mutable_node())
        if (n.name() == name) return n;
    FAIL("no node " << name);
    throw;
}

}  // namespace

TEST_CASE("ONNX GELU: PyTorch's Div, Erf, Add, Mul, Mul becomes one gelu; a broken pattern is refused by node") {
    const auto g = load(gelu_model());
    REQUIRE(g.size() == 2);
    CHECK(g[1].layer->kind() == "gelu");
    CHECK(g[1].name == "act");
    check_elementwise(g, [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); });
    // Operands of Add and Mul in the other order.
    const auto swapped = load(gelu_model([](model_builder& b) {
        node_named(b, "/act/Add").mutable_input()->SwapElements(0, 1);
        node_named(b, "/act/Mul").mutable_input()->SwapElements(0, 1);
        node_named(b, "/act/Mul_1").mutable_input()->SwapElements(0, 1);
    }));
    CHECK(swapped[1].layer->kind() == "gelu");
    // After a conv: the gelu is absorbed into the conv's layer.
    model_builder after_conv;
    after_conv.input("x", {3, 4, 5}).output("y").weight("w", {3, 3, 1, 1});
    after_conv.node("Conv", {"x", "w"}, {"c"}, "/conv/Conv");
    add_gelu_nodes(after_conv, "c", "y");
    const auto with_conv = load(after_conv);
    REQUIRE(with_conv.size() == 3);
    CHECK(with_conv[2].layer->kind() == "gelu");
    CHECK(xddp::layer_groups(with_conv).size() == 2);

    using xddp::unsupported_error;
    CHECK_ERROR(unsupported_error, load(gelu_model([](model_builder& b) {
                    node_named(b, "/act/Constant").mutable_attribute()->Clear();
                    set_tensor(node_named(b, "/act/Constant"), "value", float_tensor("", {}, {1.5f}));
                })),
                "node '/act/Div' (Div, opset 13): divides by 'c0'; xddp imports Div only as the start of GELU's erf form");
    CHECK_ERROR(unsupported_error, load(gelu_model([](model_builder& b) {
                    node_named(b, "/act/Constant_2").mutable_attribute()->Clear();
                    set_tensor(node_named(b, "/act/Constant_2"), "value", float_tensor("", {}, {0.25f}));
                })),
                "node '/act/Mul_1' (Mul, opset 13): reads 'm', an inner value of GELU's erf form");
    CHECK_ERROR(unsupported_error, load(gelu_model([](model_builder& b) {
                    node_named(b, "/act/Constant_1").mutable_attribute()->Clear();
                    set_tensor(node_named(b, "/act/Constant_1"), "value", float_tensor("", {}, {2.0f}));
                })),
                "node '/act/Add' (Add, opset 13): reads 'e', an inner value of GELU's erf form (Div(x, sqrt 2) -> Erf -> "
                "Add 1 -> Mul x -> Mul 0.5), but is not its next step, Add 1");
    CHECK_ERROR(unsupported_error, load(gelu_model([](model_builder& b) { node_named(b, "/act/Erf").set_op_type("Tanh"); })),
                "node '/act/Erf' (Tanh, opset 13): reads 'd'");
    // Mul by something other than x.
    CHECK_ERROR(unsupported_error, load(gelu_model([](model_builder& b) { *node_named(b, "/act/Mul").mutable_input(0) = "c1"; })),
                "node '/act/Mul' (Mul, opset 13): reads 'a'");
    // An inner value read twice, or left as the model output.
    CHECK_ERROR(unsupported_error, load(gelu_model([](model_builder& b) {
                    b.node("Add", {"y", "e"}, {"z"}, "/extra/Add");
                    b.graph().mutable_output(0)->set_name("z");
                })),
                "node '/act/Erf' (Erf, opset 13): its output 'e' is read 2 times");
    CHECK_ERROR(unsupported_error, load(gelu_model([](model_builder& b) { b.graph().mutable_output(0)->set_name("a"); })),
                "the model output 'a' is an inner value of GELU's erf form");
    // A Div elsewhere, and an Erf on its own.
    CHECK_ERROR(unsupported_error, load(unary("Erf")), "op type 'Erf' is not supported");
}

TEST_CASE("ONNX Mul: x * Sigmoid(x) is silu, x * HardSigmoid(x) is hard_swish, in place of the Sigmoid") {
    for (const bool x_first : {true, false}) {
        model_builder b;
        b.input("x", {3, 4, 5}).output("y");
        b.node("Sigmoid", {"x"}, {"s"}, "/act/Sigmoid");
        if (x_first) b.node("Mul", {"x", "s"}, {"y"}, "/act/Mul");
        else b.node("Mul", {"s", "x"}, {"y"}, "/act/Mul");
        const auto g = load(b);
        REQUIRE(g.size() == 2);
        CHECK(g[1].layer->kind() == "silu");
        CHECK(g[1].name == "act");
        check_elementwise(g, [](double v) { return v / (1.0 + std::exp(-v)); });
    }
    model_builder hs;
    hs.input("x", {3, 4, 5}).output("y");
    set_float(hs.node("HardSigmoid", {"x"}, {"s"}, "/act/HardSigmoid"), "alpha", 1.0f / 6.0f);
    hs.node("Mul", {"x", "s"}, {"y"}, "/act/Mul");
    const auto g = load(hs);
    REQUIRE(g.size() == 2);
    CHECK(g[1].layer->kind() == "hard_swish");
    check_elementwise(g, [](double v) { return v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0; });

    // Not PyTorch's Hardsigmoid (ONNX's default alpha 0.2): a mul of x and the hard_sigmoid, computed as such.
    model_builder other;
    other.input("x", {3, 4, 5}).output("y");
    other.node("HardSigmoid", {"x"}, {"s"}, "/act/HardSigmoid");
    other.node("Mul", {"x", "s"}, {"y"}, "/act/Mul");
    const auto m = load(other);
    REQUIRE(m.size() == 3);
    CHECK(m[2].layer->kind() == "mul");
    check_elementwise(m, [](double v) { return v * std::clamp(0.2 * v + 0.5, 0.0, 1.0); });
    // A Sigmoid that something else reads too stays a sigmoid.
    model_builder shared;
    shared.input("x", {3, 4, 5}).output("z");
    shared.node("Sigmoid", {"x"}, {"s"}, "/act/Sigmoid");
    shared.node("Mul", {"x", "s"}, {"y"}, "/act/Mul");
    shared.node("Add", {"y", "s"}, {"z"}, "/Add");
    const auto kept = load(shared);
    CHECK(kept[1].layer->kind() == "sigmoid");
    CHECK(kept[2].layer->kind() == "mul");
}

namespace {

// input (N, 3, 6, 6) -> conv (4 channels) -> squeeze-and-excitation as torchvision's SqueezeExcitation
// exports: GlobalAveragePool, Conv 1x1, Relu, Conv 1x1, Sigmoid, Mul(scale, input).
model_builder squeeze_excitation() {
    model_builder b;
    b.input("x", {3, 6, 6}).output("y");
    b.weight("conv.weight", {4, 3, 3, 3}).weight("fc1.weight", {2, 4, 1, 1}).weight("fc1.bias", {2});
    b.weight("fc2.weight", {4, 2, 1, 1}, {0.5f, -0.3f, 0.2f, 0.9f, -0.7f, 0.4f, 0.1f, 0.6f}).weight("fc2.bias", {4});
    set_ints(b.node("Conv", {"x", "conv.weight"}, {"c"}, "/conv/Conv"), "pads", {1, 1, 1, 1});
    b.node("GlobalAveragePool", {"c"}, {"p"}, "/se/avgpool/GlobalAveragePool");
    b.node("Conv", {"p", "fc1.weight", "fc1.bias"}, {"f1"}, "/se/fc1/Conv");
    b.node("Relu", {"f1"}, {"r"}, "/se/activation/Relu");
    b.node("Conv", {"r", "fc2.weight", "fc2.bias"}, {"f2"}, "/se/fc2/Conv");
    b.node("Sigmoid", {"f2"}, {"s"}, "/se/scale_activation/Sigmoid");
    b.node("Mul", {"s", "c"}, {"y"}, "/se/Mul");
    return b;
}

}  // namespace

TEST_CASE("ONNX Mul: squeeze-and-excitation is a gate (feature map first), equal shapes a mul, a constant per channel a channel_scale") {
    const auto g = load(squeeze_excitation());
    const auto id = g.find("se");
    REQUIRE(id);
    CHECK(g[*id].layer->kind() == "gate");
    CHECK(g[*id].inputs == std::vector<xddp::node_id>{g.find("conv").value(), g.find("se.scale_activation").value()});
    const auto acts = g.forward(input_batch(2, 6, 6), xddp::keep::all);
    const auto& feature = acts[g.find("conv").value()];
    const auto& scale = acts[g.find("se.scale_activation").value()];
    for (std::size_t i = 0; i < feature.size(); ++i) CHECK(acts.output().data()[i] == feature.data()[i] * scale.data()[i / 36]);

    // Two activations of one shape.
    model_builder two;
    two.input("x", {3, 4, 5}).output("y").weight("w1", {3, 3, 1, 1}).weight("w2", {3, 3, 1, 1}, ramp(9, 0.07f));
    two.node("Conv", {"x", "w1"}, {"a"}, "/a/Conv");
    two.node("Conv", {"x", "w2"}, {"b"}, "/b/Conv");
    two.node("Mul", {"b", "a"}, {"y"}, "/Mul");
    const auto m = load(two);
    CHECK(m[3].layer->kind() == "mul");
    CHECK(m[3].inputs == std::vector<xddp::node_id>{1, 2});  // graph order
    const auto ma = m.forward(input_batch(), xddp::keep::all);
    for (std::size_t i = 0; i < ma[3].size(); ++i) CHECK(ma[3].data()[i] == ma[1].data()[i] * ma[2].data()[i]);

    // A constant (C, 1, 1) or (1, C, 1, 1), either side.
    for (const std::vector<std::int64_t>& dims : {std::vector<std::int64_t>{3, 1, 1}, std::vector<std::int64_t>{1, 3, 1, 1}}) {
        model_builder b;
        b.input("x", {3, 4, 5}).output("y").weight("ls", dims, {2.0f, -0.5f, 0.25f});
        b.node("Mul", {"ls", "x"}, {"y"}, "/block/Mul");
        const auto cs = load(b);
        const auto* layer = cs[1].layer->get_if<xddp::channel_scale>();
        REQUIRE(layer);
        CHECK(layer->weight() == xt::xtensor<float, 1>{2.0f, -0.5f, 0.25f});
        const auto xi = input_batch();
        const auto y = cs(xi);
        const float factor[] = {2.0f, -0.5f, 0.25f};
        for (std::size_t i = 0; i < y.size(); ++i) CHECK(y.data()[i] == xi.data()[i] * factor[i / 20 % 3]);
    }

    using xddp::unsupported_error;
    model_builder mismatch;
    mismatch.input("x", {3, 4, 5}).output("y").weight("w", {3, 3, 4, 1});
    mismatch.node("Conv", {"x", "w"}, {"c"}, "/c/Conv");  // (N, 3, 1, 5)
    mismatch.node("Mul", {"x", "c"}, {"y"}, "/Mul");
    CHECK_ERROR(unsupported_error, load(mismatch),
                "node '/Mul' (Mul, opset 13): multiplies shapes (N, 3, 4, 5) and (N, 3, 1, 5); xddp imports Mul of equal shapes");
    model_builder wrong_channels;
    wrong_channels.input("x", {3, 4, 5}).output("y").weight("k", {4, 1, 1});
    wrong_channels.node("Mul", {"x", "k"}, {"y"}, "/Mul");
    CHECK_ERROR(unsupported_error, load(wrong_channels), "of shape (4, 1, 1); xddp imports Mul of an activation (N, C, H, W) by a constant per channel");
    model_builder per_row;
    per_row.input("x", {3, 4, 5}).output("y").weight("k", {1, 4, 1});
    per_row.node("Mul", {"x", "k"}, {"y"}, "/Mul");
    CHECK_ERROR(unsupported_error, load(per_row), "node '/Mul' (Mul, opset 13): multiplies (N, 3, 4, 5) by the constant 'k' of shape (1, 4, 1)");
    model_builder too_deep;  // one value, but of a rank that would broadcast the result to 5 dimensions
    too_deep.input("x", {3, 4, 5}).output("y").weight("k", {1, 1, 1, 1, 1}, {2.0f});
    too_deep.node("Mul", {"x", "k"}, {"y"}, "/Mul");
    CHECK_ERROR(unsupported_error, load(too_deep), "of shape (1, 1, 1, 1, 1)");
    model_builder constants;
    constants.input("x", {3, 4, 5}).output("y").weight("k", {1, 4, 1}, {2.0f, 1.0f, 0.5f, 3.0f});
    constants.node("Mul", {"k", "k"}, {"k2"}, "/Mul");
    constants.node("Add", {"x", "k2"}, {"y"}, "/Add");
    // Mul of two constants folds (shape plumbing); the Add of the activation and that (1, 4, 1) constant is refused.
    CHECK_ERROR(unsupported_error, load(constants),
                "node '/Add' (Add, opset 13): adds the constant 'k2' of shape (1, 4, 1) to an activation; xddp imports that as "
                "the bias of the MatMul it follows, or as a shift per channel");
}

TEST_CASE("ONNX Mul and Add of one value or a constant per channel: channel_scale, its shift folded in") {
    // x * 2 + (C, 1, 1): one channel_scale with weight 2 and the shifts (transform_input's pattern).
    model_builder affine;
    affine.input("x", {3, 4, 5}).output("y").weight("k", {}, {2.0f}).weight("b", {1, 3, 1, 1}, {0.5f, -1.0f, 0.25f});
    affine.node("Mul", {"x", "k"}, {"m"}, "/Mul");
    affine.node("Add", {"m", "b"}, {"y"}, "/Add");
    const auto g = load(affine);
    REQUIRE(g.size() == 2);
    const auto* layer = g[1].layer->get_if<xddp::channel_scale>();
    REQUIRE(layer);
    REQUIRE(layer->has_bias());
    CHECK(layer->weight() == xt::xtensor<float, 1>{2.0f, 2.0f, 2.0f});
    CHECK(layer->bias() == xt::xtensor<float, 1>{0.5f, -1.0f, 0.25f});
    const auto x = input_batch();
    const auto y = g(x);
    const float shift[] = {0.5f, -1.0f, 0.25f};
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y.data()[i] == doctest::Approx(x.data()[i] * 2.0f + shift[i / 20 % 3]));

    // A shift alone, one value on the left: a channel_scale of factor 1.
    model_builder shift_only;
    shift_only.input("x", {3, 4, 5}).output("y").weight("b", {1}, {-0.75f});
    shift_only.node("Add", {"b", "x"}, {"y"}, "/Add");
    const auto s = load(shift_only);
    REQUIRE(s.size() == 2);
    const auto* shifted = s[1].layer->get_if<xddp::channel_scale>();
    REQUIRE(shifted);
    CHECK(shifted->weight() == xt::xtensor<float, 1>{1.0f, 1.0f, 1.0f});
    CHECK(shifted->bias() == xt::xtensor<float, 1>{-0.75f, -0.75f, -0.75f});
    const auto ys = s(x);
    for (std::size_t i = 0; i < ys.size(); ++i) CHECK(ys.data()[i] == x.data()[i] - 0.75f);

    // The product read twice: the shift is a layer of its own and the product stays unshifted.
    model_builder shared;
    shared.input("x", {3, 4, 5}).output("y").weight("k", {}, {2.0f}).weight("b", {}, {1.0f});
    shared.node("Mul", {"x", "k"}, {"m"}, "/Mul");
    shared.node("Add", {"m", "b"}, {"a"}, "/Add");
    shared.node("Add", {"m", "a"}, {"y"}, "/Sum");
    const auto t = load(shared);
    REQUIRE(t.size() == 4);
    CHECK(!t[1].layer->get_if<xddp::channel_scale>()->has_bias());
    CHECK(t[2].layer->get_if<xddp::channel_scale>()->has_bias());
    const auto yt = t(x);
    for (std::size_t i = 0; i < yt.size(); ++i) CHECK(yt.data()[i] == doctest::Approx(x.data()[i] * 4.0f + 1.0f));
}

TEST_CASE("ONNX Gather of one channel of an activation: channel_slice; other Gathers refused, named") {
    model_builder b;  // x[:, 2] -> (N, 4, 5), Unsqueeze -> (N, 1, 4, 5)
    b.input("x", {3, 4, 5}).output("y").int64_weight("k", {}, {2}).int64_weight("axes", {1}, {1});
    set_int(b.node("Gather", {"x", "k"}, {"g"}, "/Gather"), "axis", 1);
    b.node("Unsqueeze", {"g", "axes"}, {"y"}, "/Unsqueeze");
    const auto g = load(b);
    REQUIRE(g.size() == 2);
    const auto* slice = g[1].layer->get_if<xddp::channel_slice>();
    REQUIRE(slice);
    CHECK(slice->begin() == 2);
    CHECK(g[1].shape == xddp::shape_t{1, 4, 5});
    const auto x = input_batch();
    const auto y = g(x);
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y.data()[i] == x.data()[(i / 20) * 60 + 40 + i % 20]);

    using xddp::unsupported_error;
    model_builder rows;  // x[:, :, 1]: along H
    rows.input("x", {3, 4, 5}).output("y").int64_weight("k", {}, {1});
    set_int(rows.node("Gather", {"x", "k"}, {"y"}, "/Gather"), "axis", 2);
    CHECK_ERROR(unsupported_error, load(rows),
                "node '/Gather' (Gather, opset 13): Gather of indices of shape () along axis 2 of (N, 3, 4, 5); xddp imports "
                "Gather on an activation only as one channel");
    model_builder two;  // x[:, [0, 2]]
    two.input("x", {3, 4, 5}).output("y").int64_weight("k", {2}, {0, 2});
    set_int(two.node("Gather", {"x", "k"}, {"y"}, "/Gather"), "axis", 1);
    CHECK_ERROR(unsupported_error, load(two), "Gather of indices of shape (2,) along axis 1");
    model_builder outside;
    outside.input("x", {3, 4, 5}).output("y").int64_weight("k", {}, {3});
    set_int(outside.node("Gather", {"x", "k"}, {"y"}, "/Gather"), "axis", 1);
    CHECK_ERROR(xddp::format_error, load(outside), "index 3 is out of range for 3 channels");
}
