#pragma once
// Float arithmetic that rounds the same on host and device. nvcc contracts a*b+c into one fused
// multiply-add by default, which rounds once instead of twice; the contribution kernels decide thresholds
// on float sums, so they multiply through exact_mul, which the device never fuses (__fmul_rn) and the
// host computes as a plain product (GCC does not contract across statements without -ffp-contract=fast
// and -mfma, which xddp's builds do not pass).

#include "xddp/config.hpp"

namespace xddp::kernels {

XDDP_HOST_DEVICE float exact_mul(float a, float b) {
#if defined(__CUDA_ARCH__)
    return __fmul_rn(a, b);
#else
    return a * b;
#endif
}

XDDP_HOST_DEVICE float exact_add(float a, float b) {
#if defined(__CUDA_ARCH__)
    return __fadd_rn(a, b);
#else
    return a + b;
#endif
}

}  // namespace xddp::kernels
