#pragma once
// The avx512 level: 16 floats per vector, 32 vector registers, fused multiply-add, mask registers; and the
// 16x16 transposes the direct convolution stores and packs its weights with.

#include <cstddef>

#include "xddp/core/simd_level.hpp"
#include "xddp/kernels/host/simd/target.hpp"

namespace xddp::kernels::host::avx512 {

inline constexpr simd_level level = simd_level::avx512;
inline constexpr std::size_t lanes = 16;
inline constexpr int registers = 32;
using vec = float __attribute__((vector_size(64)));

XDDP_TARGET_AVX512 inline vec broadcast(float x) { return _mm512_set1_ps(x); }
XDDP_TARGET_AVX512 inline vec load(const float* p) { return _mm512_loadu_ps(p); }
XDDP_TARGET_AVX512 inline vec load_aligned(const float* p) { return _mm512_load_ps(p); }
XDDP_TARGET_AVX512 inline void store(float* p, vec v) { _mm512_storeu_ps(p, v); }
XDDP_TARGET_AVX512 inline void store_aligned(float* p, vec v) { _mm512_store_ps(p, v); }
XDDP_TARGET_AVX512 inline vec fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }

// The 16x16 transposes use the masked intrinsics with a full mask: the same instructions as the plain ones,
// which trip GCC 12's -Wuninitialized on their undefined pass-through operand.
inline constexpr __mmask16 all_lanes = 0xFFFF;

// out[t] = column t of the 16x16 block at src (rows ld floats apart). The 128-bit pieces are gathered by loads
// (vinsertf32x4 from memory), so only the in-lane 4x4 transposes need the shuffle port.
XDDP_TARGET_AVX512 inline void load_transposed16(const float* src, std::size_t ld, __m512 (&out)[16]) {
    for (int j = 0; j < 4; ++j) {
        __m512 x[4];
        for (int i = 0; i < 4; ++i) {
            const float* p = src + static_cast<std::size_t>(i) * ld + 4 * j;
            x[i] = _mm512_castps128_ps512(_mm_loadu_ps(p));
            x[i] = _mm512_insertf32x4(x[i], _mm_loadu_ps(p + 4 * ld), 1);
            x[i] = _mm512_insertf32x4(x[i], _mm_loadu_ps(p + 8 * ld), 2);
            x[i] = _mm512_insertf32x4(x[i], _mm_loadu_ps(p + 12 * ld), 3);
        }
        // Lane b of x[i] holds row 4b + i, columns 4j..4j+3; transpose each lane's 4x4.
        const __m512 t0 = _mm512_mask_unpacklo_ps(x[0], all_lanes, x[0], x[1]);
        const __m512 t1 = _mm512_mask_unpackhi_ps(x[0], all_lanes, x[0], x[1]);
        const __m512 t2 = _mm512_mask_unpacklo_ps(x[2], all_lanes, x[2], x[3]);
        const __m512 t3 = _mm512_mask_unpackhi_ps(x[2], all_lanes, x[2], x[3]);
        out[4 * j] = _mm512_mask_shuffle_ps(t0, all_lanes, t0, t2, 0x44);
        out[4 * j + 1] = _mm512_mask_shuffle_ps(t0, all_lanes, t0, t2, 0xEE);
        out[4 * j + 2] = _mm512_mask_shuffle_ps(t1, all_lanes, t1, t3, 0x44);
        out[4 * j + 3] = _mm512_mask_shuffle_ps(t1, all_lanes, t1, t3, 0xEE);
    }
}

// In-register transpose of 16 rows of 16 floats.
XDDP_TARGET_AVX512 inline void transpose16(__m512 (&r)[16]) {
    constexpr __mmask16 all = all_lanes;
    __m512 t[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_mask_unpacklo_ps(r[2 * i], all, r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_mask_unpackhi_ps(r[2 * i], all, r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; ++i) {
        r[4 * i] = _mm512_mask_shuffle_ps(t[4 * i], all, t[4 * i], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm512_mask_shuffle_ps(t[4 * i], all, t[4 * i], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm512_mask_shuffle_ps(t[4 * i + 1], all, t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm512_mask_shuffle_ps(t[4 * i + 1], all, t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int j = 0; j < 4; ++j) {
        t[j] = _mm512_mask_shuffle_f32x4(r[j], all, r[j], r[4 + j], 0x88);
        t[4 + j] = _mm512_mask_shuffle_f32x4(r[j], all, r[j], r[4 + j], 0xDD);
        t[8 + j] = _mm512_mask_shuffle_f32x4(r[8 + j], all, r[8 + j], r[12 + j], 0x88);
        t[12 + j] = _mm512_mask_shuffle_f32x4(r[8 + j], all, r[8 + j], r[12 + j], 0xDD);
    }
    for (int j = 0; j < 4; ++j) {
        r[j] = _mm512_mask_shuffle_f32x4(t[j], all, t[j], t[8 + j], 0x88);
        r[8 + j] = _mm512_mask_shuffle_f32x4(t[j], all, t[j], t[8 + j], 0xDD);
        r[4 + j] = _mm512_mask_shuffle_f32x4(t[4 + j], all, t[4 + j], t[12 + j], 0x88);
        r[12 + j] = _mm512_mask_shuffle_f32x4(t[4 + j], all, t[4 + j], t[12 + j], 0xDD);
    }
}

}  // namespace xddp::kernels::host::avx512
