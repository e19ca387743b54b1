#pragma once
// The one __global__ kernel: a grid-stride loop over the work items calling a kernel body (a trivially
// copyable struct of pointers and sizes with an XDDP_HOST_DEVICE operator()(std::size_t)). Every device
// kernel of xddp is this template instantiated with a body of kernels/device/, so the code that runs on
// the GPU is exactly the code host_grid_launch runs in the host tests. Only for nvcc.

#if !defined(__CUDACC__)
#error "xddp/kernels/cuda/launch.cuh is CUDA code: compile this translation unit with nvcc (a .cu file)"
#endif

#include <cstddef>
#include <type_traits>

#include <cuda_runtime.h>

#include "xddp/kernels/grid.hpp"

namespace xddp::kernels::cuda {

template <class Body>
__global__ void __launch_bounds__(threads_per_block) grid_kernel(std::size_t items, Body body) {
    const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
    for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < items; i += stride)
        body(i);
}

// Launches body over items on the stream; returns the launch error (the kernel runs asynchronously).
template <class Body>
cudaError_t launch(std::size_t items, const Body& body, cudaStream_t stream) {
    static_assert(std::is_trivially_copyable_v<Body>, "a kernel body is passed by value to the device: keep it "
                                                      "a struct of pointers and sizes");
    if (items == 0) return cudaSuccess;
    grid_kernel<Body><<<static_cast<unsigned>(blocks_for(items)), static_cast<unsigned>(threads_per_block), 0, stream>>>(
        items, body);
    return cudaGetLastError();
}

}  // namespace xddp::kernels::cuda
