#pragma once
// A tensor in a kernel policy's memory: the policy's buffer of floats and its shape (batch first). For
// xddp::cuda the buffer is device memory; for xddp::cuda_emulated it is host memory.

#include <cstddef>
#include <utility>

#include "xddp/core/shape.hpp"

namespace xddp {

template <class P>
struct device_tensor {
    typename P::template buffer<float> data;
    shape_t shape;

    std::size_t size() const noexcept { return element_count(shape); }
    bool empty() const noexcept { return shape.empty(); }
};

// A caller's own buffer in the policy's memory (device memory for xddp::cuda), seen with a shape; no copy.
struct device_view {
    float* data = nullptr;
    shape_t shape;
    std::size_t size() const noexcept { return element_count(shape); }
};

}  // namespace xddp
