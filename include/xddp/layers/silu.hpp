#pragma once
// silu (swish): x * sigmoid(x) element-wise, absorbed into the layer before it (specs/ddp.md section 9).
// PyTorch's ONNX export writes it as Mul(x, Sigmoid(x)), which the importer joins into one silu.

#include <span>
#include <string_view>
#include <vector>

#include "xddp/kernels/device/silu.hpp"
#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct silu {
    static constexpr std::string_view kind = "silu";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"SiLU"};  // PyTorch
    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "silu"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        detail::map_elements(x, y, [](float v) { return kernels::device::silu_value(v); });
    }
};

}  // namespace xddp
