// core/simd_level.hpp and the kernels of every SIMD level this CPU runs, each level forced in turn in this one
// binary, against the scalar references. Where levels differ in bits: the convolution and linear kernels
// (avx2 and avx512 fuse multiply and add, sse2 and scalar round twice, and each level sums in its own lane
// order), so those compare to a tolerance; max pooling and state packing compare and select only, so every
// level gives the scalar bits exactly. Within one level, every result is independent of the batch and of the
// thread count (except where BLAS's sgemm runs: convolutions at the scalar level, see the last case).

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include <xddp/xddp.hpp>

#include "reference_layers.hpp"
#include "shared_dir.hpp"

namespace {

using reference::pick;
using reference::run;

// Puts back the level (and thread count) a test case found, so a run under XDDP_SIMD keeps its level.
struct restore_level {
    xddp::simd_level before = xddp::active_simd_level();
    ~restore_level() {
        xddp::set_simd_level(before);
        xddp::set_num_threads(0);
    }
};

bool same_bits(const xt::xarray<float>& a, const xt::xarray<float>& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("SIMD levels: names, order, what this CPU supports, and forcing one") {
    restore_level guard;
    const auto levels = xddp::supported_simd_levels();
    REQUIRE(!levels.empty());
    CHECK(levels.front() == xddp::simd_level::scalar);
    CHECK(levels.back() == xddp::best_simd_level());
    for (std::size_t i = 1; i < levels.size(); ++i) CHECK(levels[i - 1] < levels[i]);
    for (const xddp::simd_level level : xddp::all_simd_levels)
        CHECK(xddp::parse_simd_level(xddp::to_string(level)) == level);
    CHECK_THROWS_WITH_AS(xddp::parse_simd_level("avx9"), doctest::Contains("unknown SIMD level 'avx9'"), xddp::value_error);
#if XDDP_SIMD_KERNELS
    CHECK(levels.size() >= 2);  // every x86-64 CPU has SSE2
#endif
    MESSAGE("this CPU's SIMD levels: " << xddp::detail::simd_levels::supported_names());

    for (const xddp::simd_level level : levels) {
        xddp::set_simd_level(level);
        CHECK(xddp::active_simd_level() == level);
    }
    // A level the CPU lacks is refused, naming the level, the missing instructions and the levels it has.
    for (const xddp::simd_level level : xddp::all_simd_levels)
        if (level > xddp::best_simd_level()) {
            const std::string expected = "SIMD level " + std::string(xddp::to_string(level));
            CHECK_THROWS_WITH_AS(xddp::set_simd_level(level), doctest::Contains(expected.c_str()), xddp::value_error);
            CHECK(xddp::active_simd_level() == levels.back());
        }
}

TEST_CASE("XDDP_SIMD chooses the level on first use; a bad value is a value_error at every use") {
    restore_level guard;
    const char* old = std::getenv("XDDP_SIMD");
    const std::string saved = old ? old : "";
    auto first_use_with = [](const char* value) {
        ::setenv("XDDP_SIMD", value, 1);
        xddp::detail::simd_levels::active.store(-1);  // as before any kernel ran
    };
    first_use_with("scalar");
    CHECK(xddp::active_simd_level() == xddp::simd_level::scalar);
    ::setenv("XDDP_SIMD", "sse2", 1);  // read once: a later change is not seen
    CHECK(xddp::active_simd_level() == xddp::simd_level::scalar);
    first_use_with("fastest");
    CHECK_THROWS_WITH_AS(xddp::active_simd_level(), doctest::Contains("XDDP_SIMD=fastest: unknown SIMD level"),
                         xddp::value_error);
    CHECK_THROWS_AS(xddp::active_simd_level(), xddp::value_error);
    xddp::set_simd_level(xddp::simd_level::scalar);  // an explicit choice wins over the environment
    CHECK(xddp::active_simd_level() == xddp::simd_level::scalar);
    if (saved.empty()) ::unsetenv("XDDP_SIMD");
    else ::setenv("XDDP_SIMD", saved.c_str(), 1);
}

TEST_CASE("conv2d at every SIMD level equals the naive reference, and an input's bits do not depend on its batch") {
    restore_level guard;
    std::mt19937 rng(17);
    for (int trial = 0; trial < 60; ++trial) {
        const std::size_t groups = trial % 5 == 0 ? 2 : 1;
        xddp::conv2d_options o;
        o.groups = groups;
        o.in_channels = groups * pick(rng, 1, 9);
        o.out_channels = groups * pick(rng, 2, 40);  // partial and several channel blocks at every level
        o.kernel = {pick(rng, 1, 3), pick(rng, 1, 3)};
        o.stride = {pick(rng, 1, 2), pick(rng, 1, 2)};
        o.dilation = {pick(rng, 1, 2), 1};
        o.padding = {pick(rng, 0, 1), pick(rng, 0, 1)};
        o.bias = trial % 2 == 0;
        xddp::conv2d layer(o);
        layer.weight() = reference::random_array({o.out_channels, o.in_channels / groups, o.kernel[0], o.kernel[1]}, rng);
        if (o.bias) layer.bias() = reference::random_array({o.out_channels}, rng);
        const auto x = reference::random_array({3, o.in_channels, pick(rng, 5, 20), pick(rng, 5, 20)}, rng);
        const auto expected = reference::conv2d(layer, x);
        const xt::xarray<float> last = xt::view(x, xt::range(2, 3), xt::all(), xt::all(), xt::all());
        for (const xddp::simd_level level : xddp::supported_simd_levels()) {
            CAPTURE(trial);
            CAPTURE(xddp::to_string(level));
            xddp::set_simd_level(level);
            const auto y = run(layer, x);
            std::string why;
            CHECK_MESSAGE(reference::allclose(y, expected, 1e-4, 1e-5, &why), why);
            const xt::xarray<float> alone = run(layer, last);
            CHECK(same_bits(alone, xt::xarray<float>(xt::view(y, xt::range(2, 3), xt::all(), xt::all(), xt::all()))));
        }
    }
}

TEST_CASE("linear at every SIMD level: close to a double dot product, to the bit the same in any batch and thread count") {
    restore_level guard;
    std::mt19937 rng(18);
    for (const std::size_t in : {std::size_t{3}, std::size_t{31}, std::size_t{64}, std::size_t{129}, std::size_t{700}}) {
        xddp::linear layer({.in_features = in, .out_features = 37});
        layer.weight() = reference::random_array({37, in}, rng);
        layer.bias() = reference::random_array({37}, rng);
        const auto x = reference::random_array({5, in}, rng);
        for (const xddp::simd_level level : xddp::supported_simd_levels()) {
            CAPTURE(in);
            CAPTURE(xddp::to_string(level));
            xddp::set_simd_level(level);
            xddp::set_num_threads(1);
            const auto all = run(layer, x);
            for (std::size_t n = 0; n < 5; ++n)
                for (std::size_t o = 0; o < 37; ++o) {
                    double s = layer.bias()(o);
                    for (std::size_t i = 0; i < in; ++i) s += double(layer.weight()(o, i)) * x(n, i);
                    CHECK(all(n, o) == doctest::Approx(s).epsilon(1e-5));
                }
            xddp::set_num_threads(2);
            CHECK(same_bits(run(layer, x), all));
            const xt::xarray<float> row = xt::view(x, xt::range(3, 4), xt::all());
            CHECK(same_bits(run(layer, row), xt::xarray<float>(xt::view(all, xt::range(3, 4), xt::all()))));
        }
    }
}

TEST_CASE("max_pool2d at every SIMD level gives the scalar kernel's bits, NaN and signed zeros included") {
    std::mt19937 rng(19);
    for (int trial = 0; trial < 80; ++trial) {
        xddp::window2d win;
        win.kernel = {pick(rng, 1, 4), pick(rng, 1, 4)};
        win.stride = {pick(rng, 1, 3), pick(rng, 1, 3)};
        win.dilation = {pick(rng, 1, 2), pick(rng, 1, 2)};
        win.pad_begin = {pick(rng, 0, win.kernel[0] / 2), pick(rng, 0, win.kernel[1] / 2)};
        win.pad_end = win.pad_begin;
        const std::size_t planes = 3, h = pick(rng, 8, 40), w = pick(rng, 8, 40);
        const std::size_t hp = h + 2 * win.pad_begin[0], wp = w + 2 * win.pad_begin[1];
        const std::size_t reach_h = (win.kernel[0] - 1) * win.dilation[0] + 1, reach_w = (win.kernel[1] - 1) * win.dilation[1] + 1;
        if (hp < reach_h || wp < reach_w) continue;
        const std::size_t ho = (hp - reach_h) / win.stride[0] + 1, wo = (wp - reach_w) / win.stride[1] + 1;
        std::vector<float> x(planes * h * w);
        std::uniform_int_distribution<int> kind(0, 19);
        std::uniform_real_distribution<float> value(-1, 1);
        for (float& v : x) {
            const int k = kind(rng);
            v = k == 0 ? std::numeric_limits<float>::quiet_NaN() : k == 1 ? -0.0f : k == 2 ? 0.0f : value(rng);
        }
        std::vector<float> expected(planes * ho * wo), got(planes * ho * wo);
        xddp::kernels::host::max_pool2d(xddp::simd_level::scalar, x.data(), planes, h, w, win, ho, wo, expected.data());
        for (const xddp::simd_level level : xddp::supported_simd_levels()) {
            CAPTURE(trial);
            CAPTURE(xddp::to_string(level));
            std::fill(got.begin(), got.end(), 7.0f);
            xddp::kernels::host::max_pool2d(level, x.data(), planes, h, w, win, ho, wo, got.data());
            CHECK(std::memcmp(got.data(), expected.data(), got.size() * sizeof(float)) == 0);
        }
    }
}

TEST_CASE("state packing at every SIMD level gives the scalar kernel's words") {
    std::mt19937 rng(20);
    std::uniform_int_distribution<int> kind(0, 5);
    for (const std::size_t channels : {1, 7, 64, 65, 200}) {
        for (const std::size_t positions : {1, 5, 256, 700}) {
            std::vector<float> x(channels * positions);
            for (float& v : x) {
                const int k = kind(rng);
                v = k == 0 ? std::numeric_limits<float>::quiet_NaN() : k == 1 ? -0.0f : k == 2 ? 1e-40f : k == 3 ? -1.0f : 0.5f;
            }
            const std::size_t words = xddp::state_words(channels);
            std::vector<std::uint64_t> expected(positions * words), got(positions * words);
            xddp::pack_states(xddp::simd_level::scalar, x.data(), channels, positions, 0, positions, expected.data(), words);
            for (const xddp::simd_level level : xddp::supported_simd_levels()) {
                CAPTURE(channels);
                CAPTURE(positions);
                CAPTURE(xddp::to_string(level));
                xddp::pack_states(level, x.data(), channels, positions, 0, positions, got.data(), words);
                CHECK(got == expected);
            }
        }
    }
}

TEST_CASE("tiny_vgg at every SIMD level: close to the scalar level, and bit-identical alone and in a batch at any thread count") {
    // At the scalar level convolutions run on BLAS's sgemm, whose last bits follow its thread count (as the
    // depthwise convolutions' do at every level): there the thread count must stay equal, as
    // docs/distributed.md says; the batch never matters.
    restore_level guard;
    xddp::graph g = xddp::zoo::build("tiny_vgg");
    xddp::load_weights(g, shared_dir() / "golden/ddp/tiny_vgg/weights");
    const auto x0 = xddp::io::load_npy<float>(shared_dir() / "golden/ddp/tiny_vgg/inputs/x0.npy");
    const auto x1 = xddp::io::load_npy<float>(shared_dir() / "golden/ddp/tiny_vgg/inputs/x1.npy");
    const xt::xarray<float> both = xt::concatenate(xt::xtuple(x0, x1), 0);
    xddp::set_simd_level(xddp::simd_level::scalar);
    const xt::xarray<float> scalar_out = g(both);
    for (const xddp::simd_level level : xddp::supported_simd_levels()) {
        CAPTURE(xddp::to_string(level));
        xddp::set_simd_level(level);
        xddp::set_num_threads(1);
        const auto together = g.forward(both, xddp::keep::all);
        xddp::set_num_threads(level == xddp::simd_level::scalar ? 1 : 2);
        const auto alone = g.forward(x1, xddp::keep::all);
        for (xddp::node_id id = 1; id < g.size(); ++id) {
            const std::size_t per = alone[id].size();
            REQUIRE_MESSAGE(std::memcmp(alone[id].data(), together[id].data() + per, per * sizeof(float)) == 0, g[id].name);
        }
        std::string why;
        CHECK_MESSAGE(reference::allclose(xt::xarray<float>(g(both)), scalar_out, 1e-4, 1e-5, &why), why);
    }
}
