#pragma once
// hard_swish: x * relu6(x + 3) / 6 element-wise (PyTorch's Hardswish, ONNX's HardSwish), absorbed into the
// layer before it (specs/ddp.md section 9). PyTorch's ONNX export at opset 13 writes it as
// Mul(x, HardSigmoid(x)), which the importer joins into one hard_swish.

#include <span>
#include <string_view>
#include <vector>

#include "xddp/kernels/device/hard_swish.hpp"
#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct hard_swish {
    static constexpr std::string_view kind = "hard_swish";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"Hardswish"};  // PyTorch
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "hard_swish"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        detail::map_elements(x, y, [](float v) { return kernels::device::hard_swish_value(v); });
    }
};

}  // namespace xddp
