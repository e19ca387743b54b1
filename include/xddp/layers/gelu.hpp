#pragma once
// gelu, the exact (erf) form: 0.5 x (1 + erf(x / sqrt 2)) element-wise, absorbed into the layer before it
// (specs/ddp.md section 9). PyTorch's ONNX export (opset < 20) writes it as Div, Erf, Add, Mul, Mul, which
// the importer joins into one gelu.

#include <span>
#include <string_view>
#include <vector>

#include "xddp/kernels/device/gelu.hpp"
#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct gelu {
    static constexpr std::string_view kind = "gelu";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"GELU"};  // PyTorch
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "gelu"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        detail::map_elements(x, y, [](float v) { return kernels::device::gelu_value(v); });
    }
};

}  // namespace xddp
