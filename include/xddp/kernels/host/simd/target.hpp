#pragma once
// The target attribute of each SIMD level (kernels/host/simd.hpp says how they are used). The function
// carrying one is compiled for the level's instructions whatever the program's -m/-march flags are: they
// add to the attribute, never remove from it.

#include "xddp/core/simd_level.hpp"

#if XDDP_SIMD_KERNELS
#include <immintrin.h>
#define XDDP_TARGET_SSE2 __attribute__((target("sse2")))
#define XDDP_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define XDDP_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")))
#endif

// Unrolls the loop that follows completely (up to 32 trips). Register tiles keep their accumulators in
// registers only when their loops over pixels and vectors are unrolled, which GCC does not do by itself at -O2.
// (nvcc's front end does not know the pragma and warns; .cu files rarely run these kernels, so they go without.)
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDACC__)
#define XDDP_UNROLL _Pragma("GCC unroll 32")
#else
#define XDDP_UNROLL
#endif
