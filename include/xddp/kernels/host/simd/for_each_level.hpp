// Includes XDDP_SIMD_BODY once into each level's namespace (kernels/host/simd.hpp says why), with
// XDDP_TARGET the level's target attribute and XDDP_SIMD_LANES its floats per vector (for #if around a
// level's own instructions, such as the AVX-512 transposes). Deliberately without an include guard: each
// kernel header includes it once, after defining XDDP_SIMD_BODY and including every standard header the
// body uses (the body is included inside a namespace).

#ifndef XDDP_SIMD_BODY
#error "define XDDP_SIMD_BODY (the per-level body to include) before including for_each_level.hpp"
#endif

namespace xddp::kernels::host::sse2 {
#define XDDP_TARGET XDDP_TARGET_SSE2
#define XDDP_SIMD_LANES 4
#include XDDP_SIMD_BODY
#undef XDDP_SIMD_LANES
#undef XDDP_TARGET
}  // namespace xddp::kernels::host::sse2

namespace xddp::kernels::host::avx2 {
#define XDDP_TARGET XDDP_TARGET_AVX2
#define XDDP_SIMD_LANES 8
#include XDDP_SIMD_BODY
#undef XDDP_SIMD_LANES
#undef XDDP_TARGET
}  // namespace xddp::kernels::host::avx2

namespace xddp::kernels::host::avx512 {
#define XDDP_TARGET XDDP_TARGET_AVX512
#define XDDP_SIMD_LANES 16
#include XDDP_SIMD_BODY
#undef XDDP_SIMD_LANES
#undef XDDP_TARGET
}  // namespace xddp::kernels::host::avx512

#undef XDDP_SIMD_BODY
