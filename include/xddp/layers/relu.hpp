#pragma once
// relu: max(x, 0) element-wise (NaN stays NaN, as in PyTorch).

#include <span>
#include <vector>

#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct relu {
    static constexpr layer_kind kind = layer_kind::relu;
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "relu"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        detail::map_elements(x, y, [](float v) { return v > 0.0f || v != v ? v : 0.0f; });
    }
};

}  // namespace xddp
