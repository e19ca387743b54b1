#pragma once
// Compile-time configuration shared by host and device code.

// Functions that run on the host and, when nvcc compiles the translation unit, on the device too.
#if defined(__CUDACC__)
#define XDDP_HOST_DEVICE __host__ __device__ inline
#else
#define XDDP_HOST_DEVICE inline
#endif
