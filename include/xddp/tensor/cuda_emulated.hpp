#pragma once
// xddp::cuda_emulated: the CUDA backend's kernel bodies (kernels/device/) run on the CPU through the serial
// host grid loop (kernels/grid.hpp), over buffers in host memory. It exists to test on machines without a
// GPU the very code xddp::cuda launches: the same bodies, the same grid indexing, the same drivers. Only
// the GEMM differs: cuBLAS on the device, gemm_body here. It is slow (one thread at a time) and meant for
// tests, not for production profiling; use xddp::host there.

#include <array>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <vector>

#include "xddp/kernels/device/conv2d.hpp"
#include "xddp/kernels/grid.hpp"
#include "xddp/tensor/device_tensor.hpp"

namespace xddp {

struct cuda_emulated {
    static constexpr std::string_view name = "cuda_emulated";
    static constexpr bool has_kernels = true;

    template <class T>
    class buffer {
    public:
        buffer() = default;
        explicit buffer(std::size_t n) : values_(n) {}
        T* data() noexcept { return values_.data(); }
        const T* data() const noexcept { return values_.data(); }
        std::size_t size() const noexcept { return values_.size(); }

    private:
        std::vector<T> values_;
    };


    template <std::size_t N>
    static device_view adapt(float* data, const std::array<std::size_t, N>& shape) {
        return {data, shape_t(shape.begin(), shape.end())};
    }

    template <class T>
    static buffer<T> allocate(std::size_t n) {
        return buffer<T>(n);
    }
    template <class T>
    static void upload(const T* src, std::size_t n, T* dst) {
        if (n) std::memcpy(dst, src, n * sizeof(T));
    }
    template <class T>
    static void download(const T* src, std::size_t n, T* dst) {
        if (n) std::memcpy(dst, src, n * sizeof(T));
    }
    template <class T>
    static void copy(const T* src, std::size_t n, T* dst) {
        if (n) std::memcpy(dst, src, n * sizeof(T));
    }
    template <class Body>
    static void launch(std::size_t items, const Body& body) {
        kernels::host_grid_launch(items, body);
    }
    // c (m, n) = a (m, k) b (k, n), row-major.
    static void gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
                     std::size_t ldb, float* c, std::size_t ldc) {
        launch(m * n, kernels::device::gemm_body{a, b, c, m, n, k, lda, ldb, ldc});
    }
    static void synchronize() noexcept {}
};

}  // namespace xddp
