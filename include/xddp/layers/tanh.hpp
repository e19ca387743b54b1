#pragma once
// tanh element-wise, absorbed into the layer before it (specs/ddp.md section 9).

#include <span>
#include <string_view>
#include <vector>

#include "xddp/kernels/device/tanh.hpp"
#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct tanh {
    static constexpr std::string_view kind = "tanh";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"Tanh"};  // PyTorch
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "tanh"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        detail::map_elements(x, y, [](float v) { return kernels::device::tanh_value(v); });
    }
};

}  // namespace xddp
