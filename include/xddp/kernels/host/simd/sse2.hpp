#pragma once
// The sse2 level: 4 floats per vector, 16 vector registers, multiply and add rounded separately (SSE2 has no
// FMA; in a program built with -mfma the compiler may still fuse them). Every x86-64 CPU runs it.

#include <cstddef>

#include "xddp/core/simd_level.hpp"
#include "xddp/kernels/host/simd/target.hpp"

namespace xddp::kernels::host::sse2 {

inline constexpr simd_level level = simd_level::sse2;
inline constexpr std::size_t lanes = 4;
inline constexpr int registers = 16;
using vec = float __attribute__((vector_size(16)));

XDDP_TARGET_SSE2 inline vec broadcast(float x) { return _mm_set1_ps(x); }
XDDP_TARGET_SSE2 inline vec load(const float* p) { return _mm_loadu_ps(p); }
XDDP_TARGET_SSE2 inline vec load_aligned(const float* p) { return _mm_load_ps(p); }
XDDP_TARGET_SSE2 inline void store(float* p, vec v) { _mm_storeu_ps(p, v); }
XDDP_TARGET_SSE2 inline void store_aligned(float* p, vec v) { _mm_store_ps(p, v); }
XDDP_TARGET_SSE2 inline vec fma(vec a, vec b, vec c) { return a * b + c; }

}  // namespace xddp::kernels::host::sse2
