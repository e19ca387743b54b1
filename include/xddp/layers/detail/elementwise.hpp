#pragma once
// The shared shape of element-wise layers: any input shape, same output shape, f applied per element.

#include <cstddef>
#include <span>
#include <string_view>

#include "xddp/core/layer.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp::detail {

inline shape_t same_shape(std::span<const shape_t> inputs, std::string_view kind) {
    const shape_t& in = single_input(inputs, kind);
    if (in.empty()) throw shape_error(std::string(kind) + ": expected a tensor with a batch dimension, got a scalar");
    return in;
}

template <class F>
void map_elements(const tensor_ref& x, activation& y, F f) {
    y.resize(x.shape());
    const float* src = x.data();
    float* dst = y.data();
    const std::size_t n = x.size();
    for (std::size_t i = 0; i < n; ++i) dst[i] = f(src[i]);
}

}  // namespace xddp::detail
