// The CUDA backend's kernel bodies on the host: xddp::cuda_emulated runs kernels/device/ through the serial
// grid loop with the same drivers xddp::cuda uses (device/forward.hpp, device/profile.hpp,
// device/state.hpp). Checked against the host policy, the host selection functions, naive loops and the
// DeepDataProfiler golden profiles (device_policy_checks.hpp). Runs everywhere; test_cuda.cu repeats the
// checks on a GPU.

#include <doctest/doctest.h>

#include <span>
#include <string_view>
#include <vector>

#include "device_policy_checks.hpp"
#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/grid.hpp"
#include "xddp/tensor/cuda.hpp"
#include "xddp/tensor/cuda_emulated.hpp"

#include "user_layer.hpp"

namespace {

using emulated = xddp::cuda_emulated;

// The policy concepts, as the type system sees them in a translation unit not compiled by nvcc.
static_assert(xddp::kernel_policy<xddp::cuda_emulated>);
static_assert(xddp::tensor_policy<xddp::cuda_emulated>);
static_assert(!xddp::kernel_policy<xddp::host>);
static_assert(!xddp::kernel_policy<xddp::cuda>, "without nvcc xddp::cuda is an inert tag");
#if !defined(__CUDACC__)
static_assert(!xddp::cuda::has_kernels);
#endif

}  // namespace

TEST_CASE("host grid loop: every index exactly once, grid-stride past the largest grid") {
    for (const std::size_t items : {std::size_t{0}, std::size_t{1}, std::size_t{255}, std::size_t{256}, std::size_t{1000},
                                    xddp::kernels::max_blocks * xddp::kernels::threads_per_block + 777}) {
        std::vector<unsigned char> seen(items, 0);
        xddp::kernels::host_grid_launch(items, [&](std::size_t i) { ++seen[i]; });
        CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<std::ptrdiff_t>(items));
    }
    CHECK(xddp::kernels::blocks_for(0) == 0);
    CHECK(xddp::kernels::blocks_for(257) == 2);
}

TEST_CASE("emulated CUDA kernels: forward of every layer option equals the host policy") {
    device_checks::check_forward_odd_geometry<emulated>();
}

TEST_CASE("emulated CUDA kernels: tiny_vgg and tiny_resnet forward equal the host and PyTorch") {
    device_checks::check_forward_golden<emulated>();
}

TEST_CASE("emulated CUDA kernels: bitonic segmented sort equals std::stable_sort") {
    device_checks::check_segmented_sort<emulated>();
}

TEST_CASE("emulated CUDA kernels: the three selection rules equal profile/selection.hpp bit for bit") {
    device_checks::check_selection_matches_host<emulated>();
}

TEST_CASE("emulated CUDA kernels: golden DDP profiles of tiny_vgg and tiny_resnet") {
    CHECK(device_checks::check_golden_profiles<emulated>({"tiny_vgg", "tiny_resnet"}) == 24);
}

TEST_CASE("emulated CUDA kernels: a pipeline's forward passes under the policy, stages on the host") {
    device_checks::check_pipeline_on_policy<emulated>();
}

TEST_CASE("emulated CUDA kernels: state packing and exact counting equal the host") {
    device_checks::check_states_match_host<emulated>();
}

TEST_CASE("emulated CUDA kernels: bad inputs throw as on the host") {
    device_checks::check_bad_inputs<emulated>();
    xddp::graph g({2, 3});
    g.add("twice", user_scale_layer{}, g.input());
    CHECK_THROWS_AS(xddp::device_model<emulated>{g}, xddp::unsupported_error);
}

// A layer type of the user's own with device kernels: one body, one device_layer specialization and its
// registration, written outside the library; device_model runs it and equals the host forward.
namespace user_device {

struct offset_layer {
    static constexpr std::string_view kind = "user_offset";
    float offset = 0.5f;

    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const { return in[0]; }
    std::vector<xddp::parameter> parameters() { return {}; }
    void forward(const xddp::tensor_ref& x, xddp::activation& y) const {
        y = xt::adapt(x.data(), x.size(), xt::no_ownership(), x.shape());
        y += offset;
    }
};

struct offset_body {
    const float* x;
    float* y;
    float offset;
    XDDP_HOST_DEVICE void operator()(std::size_t t) const { y[t] = x[t] + offset; }
};

}  // namespace user_device

template <>
struct xddp::device_layer<user_device::offset_layer> {
    template <class P>
    static void forward(const user_device::offset_layer& l, const xddp::device_forward_call<P>& c) {
        P::launch(c.count(), user_device::offset_body{c.x(), c.y(), l.offset});
    }
};

namespace user_device {
XDDP_DEVICE_LAYER(offset_layer)
}

TEST_CASE("emulated CUDA kernels: a user layer with its own device_layer runs under the policy") {
    xddp::graph g({2, 3});
    const auto h = g.add("offset", user_device::offset_layer{}, g.input());
    g.add("relu", xddp::relu{}, h);
    xt::xarray<float> x = {{{-1.0f, 0.25f, 2.0f}, {-0.75f, -0.5f, 3.0f}}};
    const xddp::activations host = g.forward(x);
    const xddp::activations dev = xddp::forward<emulated>(g, x);
    CHECK(dev.output() == host.output());
    CHECK(dev.output()(0, 0, 1) == 0.75f);  // 0.25 + 0.5
    CHECK(dev.output()(0, 1, 0) == 0.0f);   // relu(-0.75 + 0.5)
}
