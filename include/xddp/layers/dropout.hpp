#pragma once
// dropout: the identity at inference; the probability is kept for reports only.

#include <span>
#include <string_view>
#include <vector>

#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct dropout {
    static constexpr std::string_view kind = "dropout";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"Dropout"};  // PyTorch
    float probability = 0.5f;
    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "dropout"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        detail::map_elements(x, y, [](float v) { return v; });
    }
};

}  // namespace xddp
