#pragma once
// leaky_relu: x for x > 0, slope * x otherwise.

#include <span>
#include <string_view>
#include <vector>

#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct leaky_relu {
    static constexpr std::string_view kind = "leaky_relu";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"LeakyReLU"};  // PyTorch
    float negative_slope = 0.01f;
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "leaky_relu"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        const float s = negative_slope;
        detail::map_elements(x, y, [s](float v) { return v > 0.0f ? v : s * v; });
    }
};

}  // namespace xddp
