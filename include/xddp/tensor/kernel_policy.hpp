#pragma once
// kernel_policy: a tensor policy whose buffers live in its own memory and whose kernels are the bodies of
// kernels/device/ launched over a grid. xddp::cuda (device memory, real launches, nvcc only) and
// xddp::cuda_emulated (host memory, the same bodies through the serial host grid loop) are the two.
// The drivers (device/forward.hpp, device/profile.hpp, device/state.hpp) are written once against it.
//
// require_kernel_policy<P>() turns an unsupported choice into one readable static_assert.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "xddp/core/tensor_policy.hpp"
#include "xddp/kernels/device/elementwise.hpp"

namespace xddp {

struct host;
struct cuda;
struct cuda_emulated;

template <class P>
concept kernel_policy =
    tensor_policy<P> && P::has_kernels &&
    requires(std::size_t n, const float* src, float* dst, typename P::template buffer<float>& b,
             const typename P::template buffer<float>& cb) {
        { P::template allocate<float>(n) } -> std::same_as<typename P::template buffer<float>>;
        { P::template allocate<std::uint32_t>(n) } -> std::same_as<typename P::template buffer<std::uint32_t>>;
        { b.data() } -> std::same_as<float*>;
        { b.size() } -> std::convertible_to<std::size_t>;
        P::upload(src, n, b.data());
        P::download(cb.data(), n, dst);
        P::launch(n, kernels::device::copy_body{src, dst});
        P::gemm(n, n, n, src, n, src, n, dst, n);
        P::synchronize();
    };

namespace detail {
template <class P>
constexpr bool has_kernels() {
    if constexpr (requires { P::has_kernels; }) return static_cast<bool>(P::has_kernels);
    else return false;
}
}  // namespace detail

// Fails the build with what to do when P cannot run the device drivers.
template <class P>
constexpr void require_kernel_policy() {
    static_assert(!std::same_as<P, cuda> || detail::has_kernels<P>(),
                  "xddp::cuda needs this translation unit compiled by nvcc (a .cu file, or LANGUAGE CUDA in CMake) "
                  "with CUDA enabled (-DXDDP_CUDA=ON); elsewhere use xddp::host, or xddp::cuda_emulated to run the "
                  "CUDA kernel bodies on the CPU");
    static_assert(std::same_as<P, cuda> || kernel_policy<P>,
                  "this tensor policy has no device kernels: use xddp::host (the default), xddp::cuda (nvcc) or "
                  "xddp::cuda_emulated");
}

// The one place that branches on the policy kind: on_host() under xddp::host, on_device.operator()<P>()
// under a kernel policy (a template lambda `[&]<class Q>() {...}`, so its body is compiled for kernel
// policies only); anything else stops the build at require_kernel_policy's static_assert. The result is
// on_host's.
template <class P, class Host, class Device>
decltype(auto) by_policy(Host&& on_host, Device&& on_device) {
    if constexpr (std::same_as<P, host>) {
        return on_host();
    } else {
        require_kernel_policy<P>();
        if constexpr (kernel_policy<P>) {
            return on_device.template operator()<P>();
        } else {
            using result = std::invoke_result_t<Host>;
            if constexpr (!std::is_void_v<result>) return result{};
        }
    }
}

}  // namespace xddp
