// The CUDA backend on a GPU: the checks test_cuda_emulated.cpp runs through the host grid loop, here with
// xddp::cuda (device memory, real launches, cuBLAS), plus what only a device has: RAII device buffers,
// transfers, streams, and cuBLAS's row-major GEMM against the gemm_body kernel. Without a device the
// runner (cuda_main.cu) skips before any test case runs.

#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "device_policy_checks.hpp"
#include "xddp/tensor/cuda.hpp"
#include "xddp/tensor/cuda_emulated.hpp"

static_assert(xddp::kernel_policy<xddp::cuda>, "nvcc compiles this file: xddp::cuda must be a full kernel policy");
static_assert(xddp::tensor_policy<xddp::cuda>);

TEST_CASE("cuda: device buffers move, transfer and free; streams scope the launches") {
    std::vector<float> host(1000);
    for (std::size_t i = 0; i < host.size(); ++i) host[i] = static_cast<float>(i) * 0.5f;
    xddp::gpu::stream s;
    xddp::gpu::stream_scope scope(s);
    CHECK(xddp::gpu::current_stream() == s.get());
    auto a = xddp::cuda::allocate<float>(host.size());
    xddp::cuda::upload(host.data(), host.size(), a.data());
    auto b = std::move(a);
    CHECK(a.data() == nullptr);
    CHECK(b.size() == host.size());
    auto c = xddp::cuda::allocate<float>(host.size());
    xddp::cuda::launch(host.size(), xddp::kernels::device::relu_body{b.data(), c.data()});
    std::vector<float> back(host.size());
    xddp::cuda::download(c.data(), back.size(), back.data());
    CHECK(back == host);
    // An allocation the device cannot hold throws, and nothing leaks on the way out.
    CHECK_THROWS_AS(xddp::cuda::allocate<float>(std::size_t{1} << 60), xddp::cuda_error);
}

TEST_CASE("cuda: cuBLAS row-major GEMM equals the gemm_body kernel, with leading dimensions") {
    std::mt19937 rng(2);
    const std::size_t m = 37, n = 53, k = 29, lda = 31, ldb = 60, ldc = 57;
    std::vector<float> a(m * lda), b(k * ldb), c_emulated(m * ldc, 0.0f), c_device(m * ldc, 0.0f);
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    for (auto& v : a) v = d(rng);
    for (auto& v : b) v = d(rng);
    xddp::cuda_emulated::gemm(m, n, k, a.data(), lda, b.data(), ldb, c_emulated.data(), ldc);
    auto da = xddp::cuda::allocate<float>(a.size());
    auto db = xddp::cuda::allocate<float>(b.size());
    auto dc = xddp::cuda::allocate<float>(c_device.size());
    xddp::cuda::upload(a.data(), a.size(), da.data());
    xddp::cuda::upload(b.data(), b.size(), db.data());
    xddp::cuda::upload(c_device.data(), c_device.size(), dc.data());
    xddp::cuda::gemm(m, n, k, da.data(), lda, db.data(), ldb, dc.data(), ldc);
    xddp::cuda::download(dc.data(), c_device.size(), c_device.data());
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) CHECK(std::abs(c_device[i * ldc + j] - c_emulated[i * ldc + j]) <= 1e-4f);
}

TEST_CASE("cuda: forward of every layer option equals the host policy") { device_checks::check_forward_odd_geometry<xddp::cuda>(); }
TEST_CASE("cuda: tiny_vgg and tiny_resnet forward equal the host and PyTorch") { device_checks::check_forward_golden<xddp::cuda>(); }
TEST_CASE("cuda: bitonic segmented sort equals std::stable_sort") { device_checks::check_segmented_sort<xddp::cuda>(); }
TEST_CASE("cuda: the three selection rules equal profile/selection.hpp bit for bit") {
    device_checks::check_selection_matches_host<xddp::cuda>();
}
TEST_CASE("cuda: golden DDP profiles of tiny_vgg and tiny_resnet") {
    CHECK(device_checks::check_golden_profiles<xddp::cuda>({"tiny_vgg", "tiny_resnet"}) == 24);
}
TEST_CASE("cuda: a pipeline's forward passes on the GPU, stages on the host") {
    device_checks::check_pipeline_on_policy<xddp::cuda>();
}
TEST_CASE("cuda: state packing and exact counting equal the host") { device_checks::check_states_match_host<xddp::cuda>(); }
TEST_CASE("cuda: bad inputs throw as on the host") { device_checks::check_bad_inputs<xddp::cuda>(); }
