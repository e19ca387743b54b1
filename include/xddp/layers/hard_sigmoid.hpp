#pragma once
// hard_sigmoid: max(0, min(1, alpha x + beta)) element-wise (ONNX's HardSigmoid), absorbed into the layer
// before it (specs/ddp.md section 9). The defaults are PyTorch's Hardsigmoid, relu6(x + 3) / 6, computed
// as PyTorch does (kernels/device/hard_sigmoid.hpp).

#include <span>
#include <string_view>
#include <vector>

#include "xddp/kernels/device/hard_sigmoid.hpp"
#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct hard_sigmoid {
    static constexpr std::string_view kind = "hard_sigmoid";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"Hardsigmoid"};  // PyTorch
    float alpha = 1.0f / 6.0f;
    float beta = 0.5f;
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "hard_sigmoid"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        const float a = alpha, b = beta;
        detail::map_elements(x, y, [a, b](float v) { return kernels::device::hard_sigmoid_value(v, a, b); });
    }
};

}  // namespace xddp
