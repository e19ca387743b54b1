#pragma once
// elu: x for x > 0, alpha * (exp(x) - 1) otherwise.

#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct elu {
    static constexpr std::string_view kind = "elu";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"ELU"};  // PyTorch
    float alpha = 1.0f;
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "elu"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        const float a = alpha;
        detail::map_elements(x, y, [a](float v) { return v > 0.0f ? v : a * std::expm1(v); });
    }
};

}  // namespace xddp
