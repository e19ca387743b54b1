// The runner of xddp_cuda_tests: without a usable CUDA device it prints why and exits with 77, which
// ctest reports as a skip (SKIP_RETURN_CODE); the kernels' logic is still tested on the host by
// xddp_tests (test_cuda_emulated.cpp). With a device, doctest runs the CUDA test cases.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "xddp/tensor/cuda.hpp"

int main(int argc, char** argv) {
    if (!xddp::gpu::has_device()) {
        std::printf(
            "xddp_cuda_tests: SKIPPED, no CUDA device (cudaGetDeviceCount reported an error or 0 devices). The CUDA "
            "code was compiled and linked; its kernel bodies are tested on the host by xddp_tests "
            "(\"emulated CUDA kernels\").\n");
        return 77;
    }
    doctest::Context context(argc, argv);
    return context.run();
}
