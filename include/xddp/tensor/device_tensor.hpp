#pragma once
// A tensor in a kernel policy's memory: the policy's buffer of floats and its shape (batch first). For
// xddp::cuda the buffer is device memory; for xddp::cuda_emulated it is host memory.

#include <cstddef>
#include <utility>

#include "xddp/core/shape.hpp"

namespace xddp {

namespace detail {
// The policy's buffer of T; a placeholder for a type that has none, so that naming device_tensor<host> in
// an overload set (which some front ends instantiate before checking constraints) is harmless.
template <class P, class T>
struct buffer_of {
    struct none {};
    using type = none;
};
template <class P, class T>
    requires requires { typename P::template buffer<T>; }
struct buffer_of<P, T> {
    using type = typename P::template buffer<T>;
};
}  // namespace detail

template <class P>
struct device_tensor {
    typename detail::buffer_of<P, float>::type data;
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
