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

#include <xddp/layers/sigmoid.hpp>

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
