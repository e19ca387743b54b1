#pragma once
// xddp::cuda: the CUDA tensor policy. Storage is device memory (gpu::device_buffer, RAII, move-only: it
// is freed on every path, exceptions included); kernels are the bodies of kernels/device/ launched by
// kernels/cuda/launch.cuh on the calling thread's current stream (gpu::stream_scope), and conv2d's GEMM is
// cuBLAS. Host <-> device transfers are upload/download; errors throw xddp::cuda_error.
//
// Only a translation unit compiled by nvcc gets the backend. Elsewhere this header is inert on purpose:
// it declares the tag xddp::cuda without any CUDA include, and every driver that is handed it stops at a
// static_assert that says to compile with nvcc or to pick xddp::host / xddp::cuda_emulated. (An #error
// would make a header shared by .cpp and .cu files impossible to write.)
//
// No CUDA call happens during static initialisation: the device count is asked when a caller asks, and
// the cuBLAS handle is created on a thread's first GEMM.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "xddp/tensor/device_tensor.hpp"

#if defined(__CUDACC__)

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "xddp/core/error.hpp"
#include "xddp/kernels/cuda/launch.cuh"

namespace xddp {

// A failed CUDA runtime or cuBLAS call; the message names the call and the CUDA error.
class cuda_error : public error {
public:
    using error::error;
};

namespace gpu {

inline void check(cudaError_t e, std::string_view what) {
    if (e != cudaSuccess)
        throw cuda_error(std::string(what) + " failed: " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
}

inline void check(cublasStatus_t s, std::string_view what) {
    if (s != CUBLAS_STATUS_SUCCESS)
        throw cuda_error(std::string(what) + " failed: cuBLAS status " + std::to_string(static_cast<int>(s)));
}

// Number of usable devices; 0 when the runtime reports any error. Without a GPU (or a driver),
// cudaGetDeviceCount returns an error such as 35 (cudaErrorInsufficientDriver) and leaves the count
// unwritten, so the count starts at 0 and any error means "no device". The sticky error is cleared.
inline int device_count() noexcept {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        (void)cudaGetLastError();
        return 0;
    }
    return n;
}
inline bool has_device() noexcept { return device_count() > 0; }

// Device memory for n values of T. Move-only; freed in the destructor.
template <class T>
class device_buffer {
public:
    device_buffer() = default;
    explicit device_buffer(std::size_t n) : size_(n) {
        if (n) check(cudaMalloc(reinterpret_cast<void**>(&data_), n * sizeof(T)), "cudaMalloc of " + std::to_string(n * sizeof(T)) + " bytes");
    }
    device_buffer(device_buffer&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    device_buffer& operator=(device_buffer&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    device_buffer(const device_buffer&) = delete;
    device_buffer& operator=(const device_buffer&) = delete;
    ~device_buffer() { release(); }

    T* data() noexcept { return data_; }
    const T* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }

private:
    void release() noexcept {
        if (data_) (void)cudaFree(data_);
        data_ = nullptr;
        size_ = 0;
    }
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

// A CUDA stream, non-blocking with respect to the legacy default stream; destroyed with the object.
class stream {
public:
    stream() { check(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags"); }
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;
    ~stream() {
        if (s_) {
            (void)cudaStreamSynchronize(s_);
            (void)cudaStreamDestroy(s_);
        }
    }
    cudaStream_t get() const noexcept { return s_; }
    void synchronize() const { check(cudaStreamSynchronize(s_), "cudaStreamSynchronize"); }

private:
    cudaStream_t s_ = nullptr;
};

namespace detail {
inline cudaStream_t& current_stream_slot() noexcept {
    thread_local cudaStream_t s = nullptr;  // the default stream
    return s;
}
}  // namespace detail

// The stream xddp::cuda launches and copies on, for the calling thread.
inline cudaStream_t current_stream() noexcept { return detail::current_stream_slot(); }

// Makes s the calling thread's current stream for the scope's lifetime.
class stream_scope {
public:
    explicit stream_scope(const stream& s) noexcept : previous_(std::exchange(detail::current_stream_slot(), s.get())) {}
    stream_scope(const stream_scope&) = delete;
    stream_scope& operator=(const stream_scope&) = delete;
    ~stream_scope() { detail::current_stream_slot() = previous_; }

private:
    cudaStream_t previous_;
};

// The calling thread's cuBLAS handle, created on first use (never during static initialisation) and
// destroyed at thread exit.
class blas_handle {
public:
    blas_handle() = default;
    blas_handle(const blas_handle&) = delete;
    blas_handle& operator=(const blas_handle&) = delete;
    ~blas_handle() {
        if (h_) (void)cublasDestroy(h_);
    }
    cublasHandle_t get() {
        if (!h_) {
            check(cublasCreate(&h_), "cublasCreate");
            // Plain FP32: no TF32 tensor-op rounding, so results stay comparable with the host's.
            check(cublasSetMathMode(h_, CUBLAS_PEDANTIC_MATH), "cublasSetMathMode");
        }
        return h_;
    }

private:
    cublasHandle_t h_ = nullptr;
};

inline cublasHandle_t blas() {
    thread_local blas_handle h;
    return h.get();
}

}  // namespace gpu

struct cuda {
    static constexpr std::string_view name = "cuda";
    static constexpr bool has_kernels = true;

    template <class T>
    using buffer = gpu::device_buffer<T>;

    // A caller's device buffer seen as a tensor, without a copy; the caller keeps it alive.
    template <std::size_t N>
    static device_view adapt(float* device_data, const std::array<std::size_t, N>& shape) {
        return {device_data, shape_t(shape.begin(), shape.end())};
    }

    template <class T>
    static buffer<T> allocate(std::size_t n) {
        return buffer<T>(n);
    }
    template <class T>
    static void upload(const T* host, std::size_t n, T* device) {
        if (n) gpu::check(cudaMemcpyAsync(device, host, n * sizeof(T), cudaMemcpyHostToDevice, gpu::current_stream()), "cudaMemcpyAsync to the device");
    }
    template <class T>
    static void download(const T* device, std::size_t n, T* host) {
        if (!n) return;
        gpu::check(cudaMemcpyAsync(host, device, n * sizeof(T), cudaMemcpyDeviceToHost, gpu::current_stream()), "cudaMemcpyAsync to the host");
        synchronize();
    }
    template <class T>
    static void copy(const T* src, std::size_t n, T* dst) {
        if (n) gpu::check(cudaMemcpyAsync(dst, src, n * sizeof(T), cudaMemcpyDeviceToDevice, gpu::current_stream()), "cudaMemcpyAsync on the device");
    }
    template <class Body>
    static void launch(std::size_t items, const Body& body) {
        gpu::check(kernels::cuda::launch(items, body, gpu::current_stream()), "kernel launch");
    }
    // c (m, n) = a (m, k) b (k, n), row-major: cuBLAS is column-major, so it computes c^T = b^T a^T, the
    // same memory read as column-major matrices.
    static void gemm(std::size_t m, std::size_t n, std::size_t k, const float* a, std::size_t lda, const float* b,
                     std::size_t ldb, float* c, std::size_t ldc) {
        if (m == 0 || n == 0) return;
        const float one = 1.0f, zero = 0.0f;
        cublasHandle_t h = gpu::blas();
        gpu::check(cublasSetStream(h, gpu::current_stream()), "cublasSetStream");
        gpu::check(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m), static_cast<int>(k),
                               &one, b, static_cast<int>(ldb), a, static_cast<int>(lda), &zero, c, static_cast<int>(ldc)),
                   "cublasSgemm");
    }
    static void synchronize() { gpu::check(cudaStreamSynchronize(gpu::current_stream()), "cudaStreamSynchronize"); }
};

}  // namespace xddp

#else  // not nvcc: the tag only, no CUDA include

namespace xddp {

// The CUDA tensor policy, inert outside nvcc: the drivers reject it with a static_assert that says what
// to do (compile the translation unit with nvcc, or use xddp::host / xddp::cuda_emulated).
struct cuda {
    static constexpr std::string_view name = "cuda";
    static constexpr bool has_kernels = false;
};

}  // namespace xddp

#endif
