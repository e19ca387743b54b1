// The element-wise activations of modern CNNs (specs/ddp.md section 9): each layer's forward pass against a
// naive formula written here (in double, or PyTorch's own bits where its expression is exact arithmetic),
// non-finite inputs, shape errors, its cost, and its device kernel body run on the host over every index,
// bit for bit equal to the host forward.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <doctest/doctest.h>
#include <xtensor/xadapt.hpp>

#include <xddp/layers/channel_scale.hpp>
#include <xddp/layers/gate.hpp>
#include <xddp/layers/gelu.hpp>
#include <xddp/layers/hard_sigmoid.hpp>
#include <xddp/layers/hard_swish.hpp>
#include <xddp/layers/mul.hpp>
#include <xddp/layers/sigmoid.hpp>
#include <xddp/layers/silu.hpp>
#include <xddp/layers/softmax.hpp>
#include <xddp/layers/tanh.hpp>
#include <xddp/kernels/device/channel_scale.hpp>
#include <xddp/kernels/device/gate.hpp>

#include "check_error.hpp"

namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

// A (2, 3, 4, 5) batch of normal values scaled by 4, with the edges of the float range written in.
xt::xarray<float> probe_batch() {
    xt::xarray<float> x = xt::zeros<float>({2, 3, 4, 5});
    std::mt19937 rng(29);
    std::normal_distribution<float> nd(0.0f, 4.0f);
    for (float& v : x) v = nd(rng);
    const float edges[] = {0.0f, -0.0f, 3.0f, -3.0f, 1e-8f, -1e-8f, 88.0f, -88.0f, 100.0f, -100.0f, 1e30f, -1e30f};
    std::copy(std::begin(edges), std::end(edges), x.data());
    return x;
}

template <class L>
xddp::activation run(const L& layer, const xt::xarray<float>& x) {
    xddp::activation y;
    layer.forward(xddp::tensor_ref(x), y);
    return y;
}

// Each element of layer(x) within a few float roundings of reference(x) computed in double.
template <class L, class F>
void check_against(const L& layer, F reference) {
    const auto x = probe_batch();
    const auto y = run(layer, x);
    REQUIRE(y.shape() == x.shape());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double want = reference(static_cast<double>(x.data()[i]));
        const double got = y.data()[i];
        INFO(L::kind, " of ", x.data()[i]);
        CHECK(std::abs(got - want) <= 4e-7 * std::max(1.0, std::abs(want)));
    }
}

// The kernel body over every index of a batch gives the host forward's bits.
template <class L, class Body>
void check_body(const L& layer, Body body_of) {
    const auto x = probe_batch();
    const auto want = run(layer, x);
    std::vector<float> got(x.size());
    const auto body = body_of(x.data(), got.data());
    for (std::size_t t = 0; t < got.size(); ++t) body(t);
    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
}

// NaN stays NaN; the results at -inf and +inf (NaN where PyTorch gives NaN).
template <class L>
void check_non_finite(const L& layer, float at_minus_inf, float at_plus_inf) {
    const xt::xarray<float> x = {{std::numeric_limits<float>::quiet_NaN(), -inf, inf}};
    const auto y = run(layer, x);
    CHECK(std::isnan(y(0, 0)));
    CHECK((std::isnan(at_minus_inf) ? std::isnan(y(0, 1)) : y(0, 1) == at_minus_inf));
    CHECK((std::isnan(at_plus_inf) ? std::isnan(y(0, 2)) : y(0, 2) == at_plus_inf));
}

// output_shape keeps the shape, refuses a scalar and two inputs, naming the kind.
template <class L>
void check_shapes(const L& layer) {
    const xddp::shape_t in[] = {{2, 3, 4, 5}, {2, 3, 4, 5}};
    CHECK(layer.output_shape(std::span(in, 1)) == in[0]);
    CHECK_ERROR(xddp::shape_error, layer.output_shape(in), std::string(L::kind) + ": expected 1 input, got 2");
    const xddp::shape_t scalar[] = {{}};
    CHECK_ERROR(xddp::shape_error, layer.output_shape(scalar), std::string(L::kind) + ": expected a tensor with a batch dimension");
    CHECK(layer.cost(std::span(in, 1)).macs_deeplite == 2 * 3 * 4 * 5);
    CHECK(layer.cost(std::span(in, 1)).activation_bytes == 2 * 3 * 4 * 5 * sizeof(float));
}

}  // namespace

TEST_CASE("sigmoid: 1 / (1 + exp(-x)), its device body and shapes") {
    const xddp::sigmoid layer;
    check_against(layer, [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
    check_non_finite(layer, 0.0f, 1.0f);
    check_shapes(layer);
    check_body(layer, [](const float* x, float* y) { return xddp::kernels::device::sigmoid_body{x, y}; });
    static_assert(xddp::role_v<xddp::sigmoid> == xddp::profile_role::absorbed);
}

TEST_CASE("tanh: its device body and shapes") {
    const xddp::tanh layer;
    check_against(layer, [](double v) { return std::tanh(v); });
    check_non_finite(layer, -1.0f, 1.0f);
    check_shapes(layer);
    check_body(layer, [](const float* x, float* y) { return xddp::kernels::device::tanh_body{x, y}; });
}

TEST_CASE("silu: x * sigmoid(x), its device body and shapes") {
    const xddp::silu layer;
    check_against(layer, [](double v) { return v / (1.0 + std::exp(-v)); });
    check_non_finite(layer, std::numeric_limits<float>::quiet_NaN(), inf);  // -inf / inf, as in PyTorch
    check_shapes(layer);
    check_body(layer, [](const float* x, float* y) { return xddp::kernels::device::silu_body{x, y}; });
}

TEST_CASE("gelu: 0.5 x (1 + erf(x / sqrt 2)), its device body and shapes") {
    const xddp::gelu layer;
    check_against(layer, [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); });
    check_non_finite(layer, std::numeric_limits<float>::quiet_NaN(), inf);  // -inf * 0, as in PyTorch
    check_shapes(layer);
    check_body(layer, [](const float* x, float* y) { return xddp::kernels::device::gelu_body{x, y}; });
}

// Inputs where ONNX's formula alpha x + beta and PyTorch's relu6(x + 3) / 6 round differently, with the
// outputs PyTorch 1.13 computes for them (hexadecimal floats, exact).
const std::vector<float> torch_inputs = {-100.0f, -7.5f, -3.0f, -0x1.2bc656p+1f, -0x1.bc4abap+0f, -0x1.0097acp+0f,
                                         -0x1.fa6cf8p-1f, -0x1.5798eep-27f, 0.0f, 0x1.333334p-2f, 1.25f,
                                         0x1.7ffffep+1f, 3.0f, 0x1.5a4784p+2f, 88.0f};

template <class L>
void check_torch_bits(const L& layer, const std::vector<float>& want) {
    const xt::xarray<float> x = xt::adapt(torch_inputs, {std::size_t{1}, torch_inputs.size()});
    const auto y = run(layer, x);
    for (std::size_t i = 0; i < want.size(); ++i) {
        INFO(L::kind, " of ", torch_inputs[i]);
        CHECK(std::memcmp(&y.data()[i], &want[i], sizeof(float)) == 0);
    }
}

TEST_CASE("hard_sigmoid: PyTorch's Hardsigmoid bits by default, ONNX's formula for other alpha and beta") {
    const xddp::hard_sigmoid torch_default;
    check_torch_bits(torch_default, {0.0f, 0.0f, 0.0f, 0x1.c1338ap-4f, 0x1.af9c5ep-3f, 0x1.54f038p-2f, 0x1.573102p-2f, 0.5f,
                                     0.5f, 0x1.19999ap-1f, 0x1.6aaaaap-1f, 1.0f, 1.0f, 1.0f, 1.0f});
    check_against(torch_default, [](double v) { return std::clamp(v / 6.0 + 0.5, 0.0, 1.0); });
    check_non_finite(torch_default, 0.0f, 1.0f);
    const xddp::hard_sigmoid onnx_default{0.2f, 0.5f};
    check_against(onnx_default, [](double v) { return std::clamp(0.2 * v + 0.5, 0.0, 1.0); });
    check_non_finite(onnx_default, 0.0f, 1.0f);
    check_shapes(onnx_default);
    for (const xddp::hard_sigmoid& layer : {torch_default, onnx_default})
        check_body(layer, [&](const float* x, float* y) {
            return xddp::kernels::device::hard_sigmoid_body{x, y, layer.alpha, layer.beta};
        });
}

TEST_CASE("hard_swish: PyTorch's Hardswish bits, its device body and shapes") {
    const xddp::hard_swish layer;
    check_torch_bits(layer, {-0.0f, -0.0f, -0.0f, -0x1.07019cp-2f, -0x1.768898p-2f, -0x1.55ba38p-2f, -0x1.53747ap-2f,
                             -0x1.5798eep-28f, 0.0f, 0x1.51eb86p-3f, 0x1.c55556p-1f, 0x1.7ffffep+1f, 3.0f,
                             0x1.5a4786p+2f, 88.0f});
    check_against(layer, [](double v) { return v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0; });
    check_non_finite(layer, std::numeric_limits<float>::quiet_NaN(), inf);  // -inf * 0, as in PyTorch
    check_shapes(layer);
    check_body(layer, [](const float* x, float* y) { return xddp::kernels::device::hard_swish_body{x, y}; });
}

TEST_CASE("softmax over channels: each position's channels sum to 1, large logits do not overflow") {
    const xddp::softmax layer;
    const auto x = probe_batch();  // (2, 3, 4, 5), with +-100 and +-1e30 among the values
    const auto y = run(layer, x);
    REQUIRE(y.shape() == x.shape());
    for (std::size_t n = 0; n < 2; ++n)
        for (std::size_t p = 0; p < 20; ++p) {
            double m = -INFINITY;
            for (std::size_t c = 0; c < 3; ++c) m = std::max(m, double(x.data()[(n * 3 + c) * 20 + p]));
            double sum = 0.0;
            for (std::size_t c = 0; c < 3; ++c) sum += std::exp(double(x.data()[(n * 3 + c) * 20 + p]) - m);
            double total = 0.0;
            for (std::size_t c = 0; c < 3; ++c) {
                const std::size_t i = (n * 3 + c) * 20 + p;
                const double want = std::exp(double(x.data()[i]) - m) / sum;
                CHECK(std::abs(y.data()[i] - want) <= 1e-6);
                total += y.data()[i];
            }
            CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
        }
    // (N, C) logits; a NaN makes its sample NaN; a single channel gives 1.
    const xt::xarray<float> logits = {{1.0f, 2.0f, 3.0f}, {std::numeric_limits<float>::quiet_NaN(), 0.0f, 0.0f}};
    const auto p = run(layer, logits);
    CHECK(p(0, 2) == doctest::Approx(std::exp(1.0) / (1.0 + std::exp(1.0) + std::exp(-1.0))));
    CHECK((std::isnan(p(1, 0)) && std::isnan(p(1, 1)) && std::isnan(p(1, 2))));
    CHECK(run(layer, xt::xarray<float>{{{5.0f, -7.0f}}})(0, 0, 1) == 1.0f);

    const xddp::shape_t in[] = {{2, 3, 4, 5}, {2, 3, 4, 5}};
    CHECK(layer.output_shape(std::span(in, 1)) == in[0]);
    CHECK_ERROR(xddp::shape_error, layer.output_shape(in), "softmax: expected 1 input, got 2");
    const xddp::shape_t vector[] = {{7}};
    CHECK_ERROR(xddp::shape_error, layer.output_shape(vector), "softmax: input shape (7,) does not fit, expected (N, C, ...)");
    CHECK(layer.cost(std::span(in, 1)).macs_deeplite == 0);
    check_body(layer, [](const float* x, float* y) { return xddp::kernels::device::channel_softmax_body{x, y, 3, 20}; });
}

TEST_CASE("gate: a feature map times its per-channel gate; shapes; its device body") {
    const xddp::gate layer;
    const auto x = probe_batch();  // (2, 3, 4, 5)
    xt::xarray<float> g = xt::zeros<float>({2, 3, 1, 1});
    for (std::size_t k = 0; k < 6; ++k) g.data()[k] = 0.25f * float(k) - 0.5f;
    xddp::activation y;
    layer.forward(xddp::tensor_ref(x), xddp::tensor_ref(g), y);
    REQUIRE(y.shape() == x.shape());
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(y.data()[i] == x.data()[i] * g.data()[i / 20]);
    std::vector<float> body_out(x.size());
    const xddp::kernels::device::gate_body body{x.data(), g.data(), body_out.data(), 20};
    for (std::size_t t = 0; t < body_out.size(); ++t) body(t);
    CHECK(std::memcmp(body_out.data(), y.data(), y.size() * sizeof(float)) == 0);

    const xddp::shape_t fits[] = {{2, 3, 4, 5}, {2, 3, 1, 1}};
    CHECK(layer.output_shape(fits) == fits[0]);
    const xddp::shape_t flat_gate[] = {{2, 3, 4, 5}, {2, 3}};
    CHECK(layer.output_shape(flat_gate) == fits[0]);
    const xddp::shape_t wrong_channels[] = {{2, 3, 4, 5}, {2, 4, 1, 1}};
    CHECK_ERROR(xddp::shape_error, layer.output_shape(wrong_channels),
                "gate: feature map (2, 3, 4, 5) and gate (2, 4, 1, 1) do not fit, expected (N, C, H, W) and (N, C, 1, 1)");
    const xddp::shape_t swapped[] = {{2, 3, 1, 1}, {2, 3, 4, 5}};
    CHECK_ERROR(xddp::shape_error, layer.output_shape(swapped), "gate: feature map (2, 3, 1, 1) and gate (2, 3, 4, 5)");
    CHECK_ERROR(xddp::shape_error, layer.output_shape(std::span(fits, 1)), "gate: expected 2 inputs (feature map, gate), got 1");
    static_assert(xddp::role_v<xddp::gate> == xddp::profile_role::starts_layer);
    static_assert(xddp::has_contribution_rule<xddp::gate>);
}

TEST_CASE("mul: the product of two activations of one shape; shapes; its device body") {
    const xddp::mul layer;
    const auto a = probe_batch();
    xt::xarray<float> b = a;
    std::reverse(b.begin(), b.end());
    xddp::activation y;
    layer.forward(xddp::tensor_ref(a), xddp::tensor_ref(b), y);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(y.data()[i] == a.data()[i] * b.data()[i]);
    const xddp::shape_t differ[] = {{2, 3, 4, 5}, {2, 3, 1, 1}};
    CHECK_ERROR(xddp::shape_error, layer.output_shape(differ),
                "mul: input shapes (2, 3, 4, 5) and (2, 3, 1, 1) differ, expected equal shapes");
    static_assert(xddp::role_v<xddp::mul> == xddp::profile_role::starts_layer);
    static_assert(xddp::has_contribution_rule<xddp::mul>);
}

TEST_CASE("channel_scale: a constant factor per channel, a parameter; shapes; its device body") {
    xddp::channel_scale layer(3);
    CHECK(layer.weight() == xt::xtensor<float, 1>{1.0f, 1.0f, 1.0f});
    layer.weight() = {2.0f, -0.5f, 0.0f};
    const auto x = probe_batch();
    const auto y = run(layer, x);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(y.data()[i] == x.data()[i] * layer.weight()(i / 20 % 3));
    std::vector<float> body_out(x.size());
    const xddp::kernels::device::channel_scale_body body{x.data(), body_out.data(), layer.weight().data(), nullptr, 3, 20};
    for (std::size_t t = 0; t < body_out.size(); ++t) body(t);
    CHECK(std::memcmp(body_out.data(), y.data(), y.size() * sizeof(float)) == 0);

    const auto params = layer.parameters();
    REQUIRE(params.size() == 1);
    CHECK(params[0].name == "weight");
    CHECK(params[0].shape == xddp::shape_t{3});
    const xddp::shape_t in[] = {{2, 3, 4, 5}};
    CHECK(layer.cost(in).params == 3);
    CHECK(layer.cost(in).macs_deeplite == 2 * 3 * 4 * 5);
    const xddp::shape_t wrong[] = {{2, 4, 4, 5}};
    CHECK_ERROR(xddp::shape_error, layer.output_shape(wrong), "channel_scale: input shape (2, 4, 4, 5) does not fit, expected (N, 3, ...)");
    CHECK_ERROR(xddp::value_error, xddp::channel_scale(0), "channel_scale: channel count must be positive");
    static_assert(xddp::role_v<xddp::channel_scale> == xddp::profile_role::absorbed);

    // With a shift per channel (transform_input's x * a + b): a second parameter, the same in the device body.
    xddp::channel_scale shifted(3, true);
    CHECK(shifted.has_bias());
    CHECK(shifted.bias() == xt::xtensor<float, 1>{0.0f, 0.0f, 0.0f});
    shifted.weight() = {2.0f, -0.5f, 0.25f};
    shifted.bias() = {0.5f, -1.0f, 3.0f};
    const auto z = run(shifted, x);
    for (std::size_t i = 0; i < x.size(); ++i)
        CHECK(z.data()[i] == doctest::Approx(x.data()[i] * shifted.weight()(i / 20 % 3) + shifted.bias()(i / 20 % 3)));
    const xddp::kernels::device::channel_scale_body shifted_body{x.data(), body_out.data(), shifted.weight().data(),
                                                                 shifted.bias().data(), 3, 20};
    for (std::size_t t = 0; t < body_out.size(); ++t) shifted_body(t);
    CHECK(std::memcmp(body_out.data(), z.data(), z.size() * sizeof(float)) == 0);
    const auto shifted_params = shifted.parameters();
    REQUIRE(shifted_params.size() == 2);
    CHECK(shifted_params[1].name == "bias");
    CHECK(shifted.cost(in).params == 6);
    CHECK(!layer.has_bias());
}
