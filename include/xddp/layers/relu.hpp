#pragma once
// relu: max(x, 0) element-wise (NaN stays NaN, as in PyTorch).

#include <span>
#include <string_view>
#include <vector>

#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct relu {
    static constexpr std::string_view kind = "relu";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"ReLU"};  // PyTorch
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "relu"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        detail::map_elements(x, y, [](float v) { return v > 0.0f || v != v ? v : 0.0f; });
    }
};

}  // namespace xddp
