#pragma once
// The SIMD layer of the host kernels: xsimd (header-only) where it is installed and the target has vector
// registers it knows. XDDP_HAS_XSIMD says whether the vectorised kernels are compiled in; without it the
// layers keep their portable scalar or BLAS paths. The vector width is the widest the compiler targets
// (-march=native picks AVX-512 where the CPU has it).

#if defined(__has_include)
#if __has_include(<xsimd/xsimd.hpp>) && (defined(__SSE2__) || defined(__ARM_NEON) || defined(__aarch64__))
#define XDDP_HAS_XSIMD 1
#endif
#endif
#ifndef XDDP_HAS_XSIMD
#define XDDP_HAS_XSIMD 0
#endif

#if XDDP_HAS_XSIMD

#include <cstddef>
#include <vector>

#include <xsimd/xsimd.hpp>

namespace xddp::kernels::host::simd {

using batch = xsimd::batch<float>;
inline constexpr std::size_t lanes = batch::size;
// Vector registers a register-tiled kernel may fill: 32 with AVX-512 (and NEON), 16 with SSE and AVX2.
inline constexpr int registers = lanes >= 16 ? 32 : 16;

template <class T>
using aligned_vector = std::vector<T, xsimd::aligned_allocator<T, 64>>;

// A thread's scratch buffer of at least `size` floats, 64-byte aligned, reused across calls (its contents are
// not kept: callers overwrite what they read). Each tag type gets its own buffer.
template <class Tag>
float* scratch(std::size_t size) {
    static thread_local aligned_vector<float> buffer;
    if (buffer.size() < size) buffer.resize(size);
    return buffer.data();
}

}  // namespace xddp::kernels::host::simd

#endif  // XDDP_HAS_XSIMD
