#pragma once
// The avx2 level: 8 floats per vector, 16 vector registers, fused multiply-add (one rounding).

#include <cstddef>

#include "xddp/core/simd_level.hpp"
#include "xddp/kernels/host/simd/target.hpp"

namespace xddp::kernels::host::avx2 {

inline constexpr simd_level level = simd_level::avx2;
inline constexpr std::size_t lanes = 8;
inline constexpr int registers = 16;
using vec = float __attribute__((vector_size(32)));

XDDP_TARGET_AVX2 inline vec broadcast(float x) { return _mm256_set1_ps(x); }
XDDP_TARGET_AVX2 inline vec load(const float* p) { return _mm256_loadu_ps(p); }
XDDP_TARGET_AVX2 inline vec load_aligned(const float* p) { return _mm256_load_ps(p); }
XDDP_TARGET_AVX2 inline void store(float* p, vec v) { _mm256_storeu_ps(p, v); }
XDDP_TARGET_AVX2 inline void store_aligned(float* p, vec v) { _mm256_store_ps(p, v); }
XDDP_TARGET_AVX2 inline vec fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }

}  // namespace xddp::kernels::host::avx2
