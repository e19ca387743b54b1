// Kernel checking (metrics/kernel_check.hpp): a user's own layer type against the built-in one, and the
// errors a wrong candidate gets. The candidates are written here from the PyTorch definitions.

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <span>
#include <string_view>
#include <string>

#include <xddp/layers/add.hpp>
#include <xddp/layers/conv2d.hpp>
#include <xddp/layers/relu.hpp>
#include <xddp/metrics/kernel_check.hpp>

namespace {

// A user's direct convolution (stride 1, no padding, no groups): plain loops, its own storage.
struct my_conv {
    static constexpr std::string_view kind = "my_conv";
    std::size_t cin, cout, k;
    std::string bias_name = "bias";
    float bias_error = 0.0f;  // added to output channel 1 to make a wrong kernel
    xt::xarray<float> w = xt::zeros<float>({cout, cin, k, k});
    xt::xarray<float> b = xt::zeros<float>({cout});

    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const {
        const auto& s = in[0];
        if (s.size() != 4 || s[1] != cin || s[2] < k || s[3] < k) throw xddp::shape_error("my_conv: bad input");
        return {s[0], cout, s[2] - k + 1, s[3] - k + 1};
    }
    std::vector<xddp::parameter> parameters() {
        return {{"weight", {cout, cin, k, k}, w.data()}, {bias_name, {cout}, b.data()}};
    }
    void forward(const xddp::tensor_ref& x, xddp::activation& y) const {
        const auto& s = x.shape();
        y.resize({s[0], cout, s[2] - k + 1, s[3] - k + 1});
        for (std::size_t n = 0; n < s[0]; ++n)
            for (std::size_t o = 0; o < cout; ++o)
                for (std::size_t i = 0; i + k <= s[2]; ++i)
                    for (std::size_t j = 0; j + k <= s[3]; ++j) {
                        double acc = b(o) + (o == 1 ? bias_error : 0.0f);
                        for (std::size_t c = 0; c < cin; ++c)
                            for (std::size_t r = 0; r < k; ++r)
                                for (std::size_t q = 0; q < k; ++q)
                                    acc += double(w(o, c, r, q)) * x.data()[((n * cin + c) * s[2] + i + r) * s[3] + j + q];
                        y(n, o, i, j) = static_cast<float>(acc);
                    }
    }
};

// ReLU that lets NaN through as 0 (unlike PyTorch) and one that returns the input shape's transpose.
struct nan_to_zero_relu {
    static constexpr std::string_view kind = "nan_to_zero_relu";
    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const { return in[0]; }
    std::vector<xddp::parameter> parameters() { return {}; }
    void forward(const xddp::tensor_ref& x, xddp::activation& y) const {
        y.resize(x.shape());
        for (std::size_t i = 0; i < x.size(); ++i) y.data()[i] = x.data()[i] > 0 ? x.data()[i] : 0.0f;
    }
};

struct my_add {
    static constexpr std::string_view kind = "my_add";
    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const { return in[0]; }
    std::vector<xddp::parameter> parameters() { return {}; }
    void forward(const xddp::tensor_ref& a, const xddp::tensor_ref& b, xddp::activation& y) const {
        y.resize(a.shape());
        for (std::size_t i = 0; i < a.size(); ++i) y.data()[i] = a.data()[i] + b.data()[i];
    }
};

xddp::conv2d builtin_conv(std::size_t cin, std::size_t cout, std::size_t k) {
    return xddp::conv2d({.in_channels = cin, .out_channels = cout, .kernel = {k, k}});
}

}  // namespace

TEST_CASE("kernel check: a correct user convolution matches the built-in conv2d, with its parameters copied") {
    my_conv mine{3, 4, 3};
    auto ref = builtin_conv(3, 4, 3);
    const xddp::shape_t in{2, 3, 9, 7};
    const auto k = xddp::metrics::check_kernel(mine, ref, std::span(&in, 1));
    CHECK(k.matches());
    CHECK(k.output_shape == xddp::shape_t{2, 4, 7, 5});
    CHECK(k.max_abs_error < 1e-5);
    CHECK_NOTHROW(k.require_match());
    // The parameters were seeded (not left at zero) and copied: the candidate's weights are the reference's.
    CHECK(xt::amax(xt::abs(ref.weight()))() > 0.1f);
    CHECK(xt::amax(xt::abs(ref.weight()))() <= 1.0f / std::sqrt(27.0f));
    for (std::size_t i = 0; i < ref.weight().size(); ++i) REQUIRE(mine.w.data()[i] == ref.weight().data()[i]);
    for (std::size_t i = 0; i < ref.bias().size(); ++i) REQUIRE(mine.b.data()[i] == ref.bias().data()[i]);
}

TEST_CASE("kernel check: a wrong kernel is caught, and the report names the worst element") {
    my_conv mine{3, 4, 3};
    mine.bias_error = 1e-2f;  // channel 1 is off by 0.01 everywhere
    auto ref = builtin_conv(3, 4, 3);
    const xddp::shape_t in{1, 3, 5, 5};
    const auto k = xddp::metrics::check_kernel(mine, ref, std::span(&in, 1));
    CHECK_FALSE(k.matches());
    CHECK(k.mismatches == 9);  // the 3x3 outputs of channel 1
    CHECK(k.max_abs_error == doctest::Approx(1e-2).epsilon(1e-3));
    CHECK(k.worst / 9 == 1);  // in channel 1
    CHECK(std::abs(k.worst_candidate - k.worst_reference - 1e-2f) < 1e-5f);
    CHECK_THROWS_AS(k.require_match(), xddp::value_error);
    CHECK(k.describe().find("9 of 36 elements outside") != std::string::npos);
    CHECK(k.describe().find("worst at (0, 1, ") != std::string::npos);
    // A looser tolerance accepts it.
    const auto loose = xddp::metrics::check_kernel(mine, ref, std::span(&in, 1), {.atol = 2e-2});
    CHECK(loose.matches());
}

TEST_CASE("kernel check: NaN outputs count as mismatches unless both sides have them") {
    nan_to_zero_relu mine;
    xddp::relu ref;
    xddp::activation x = {{1.0f, std::numeric_limits<float>::quiet_NaN(), -2.0f}};
    xddp::activation yc, yr;
    mine.forward(x, yc);
    ref.forward(x, yr);
    const auto k = xddp::metrics::detail::compare_outputs(yc, yr, "relu", {});
    CHECK(k.mismatches == 1);
    CHECK(k.worst == 1);
    const auto same = xddp::metrics::detail::compare_outputs(yr, yr, "relu", {});
    CHECK(same.matches());
}

TEST_CASE("kernel check: binary layers, and timing with the latency machinery") {
    my_add mine;
    xddp::add ref;
    const xddp::shape_t in[2] = {{4, 8, 6, 6}, {4, 8, 6, 6}};
    const auto c = xddp::metrics::compare_kernels(mine, ref, std::span(in), {.timing = {.warmup = 1, .repeats = 3}});
    CHECK(c.check.matches());
    CHECK(c.candidate.repeats == 3);
    CHECK(c.reference.repeats == 3);
    CHECK(c.candidate.batch == 4);  // per-input times: the batch of the input shapes
    CHECK(c.candidate.median_ms > 0);
    CHECK(c.speedup() > 0);
}

TEST_CASE("kernel check: bad candidates and bad shapes are errors that say what is wrong") {
    const xddp::shape_t in{1, 3, 8, 8};
    SUBCASE("output shape differs from the reference") {
        my_conv mine{3, 4, 3};
        auto ref = xddp::conv2d({.in_channels = 3, .out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}});
        CHECK_THROWS_WITH_AS(xddp::metrics::check_kernel(mine, ref, std::span(&in, 1)),
                             doctest::Contains("candidate's output shape (1, 4, 6, 6)"), xddp::shape_error);
    }
    SUBCASE("a parameter the candidate lacks") {
        my_conv mine{3, 4, 3};
        mine.bias_name = "b";
        auto ref = builtin_conv(3, 4, 3);
        CHECK_THROWS_WITH_AS(xddp::metrics::check_kernel(mine, ref, std::span(&in, 1)),
                             doctest::Contains("no parameter 'bias'"), xddp::value_error);
    }
    SUBCASE("a parameter of another shape") {
        my_conv mine{3, 4, 3};
        auto ref = xddp::conv2d({.in_channels = 3, .out_channels = 4, .kernel = {3, 3}, .bias = false});
        CHECK_THROWS_WITH_AS(xddp::metrics::check_kernel(mine, ref, std::span(&in, 1)),
                             doctest::Contains("'bias' has no counterpart"), xddp::value_error);
    }
    SUBCASE("an input shape the reference rejects") {
        my_conv mine{3, 4, 3};
        auto ref = builtin_conv(3, 4, 3);
        const xddp::shape_t wrong{1, 5, 8, 8};
        CHECK_THROWS_AS(xddp::metrics::check_kernel(mine, ref, std::span(&wrong, 1)), xddp::shape_error);
    }
    SUBCASE("the wrong number of input shapes") {
        my_add mine;
        xddp::add ref;
        CHECK_THROWS_WITH_AS(xddp::metrics::check_kernel(mine, ref, std::span(&in, 1)),
                             doctest::Contains("1 input shapes given, the layer takes 2"), xddp::value_error);
    }
}
