// First of two translation units that include every xddp header (see odr_main.cpp).
#include <xddp/xddp.hpp>
// The CUDA backend's headers outside the umbrella: inert or host-only without nvcc, and ODR-safe.
#include <xddp/device/forward.hpp>
#include <xddp/device/profile.hpp>
#include <xddp/device/state.hpp>
#include <xddp/tensor/cuda.hpp>
#include <xddp/tensor/cuda_emulated.hpp>

int odr_a() { return static_cast<int>(xddp::version_major); }
