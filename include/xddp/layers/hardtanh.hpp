#pragma once
// hardtanh: clamp(x, min, max); relu6() is hardtanh{0, 6} (an ONNX Clip maps here).

#include <span>
#include <string_view>
#include <vector>

#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct hardtanh {
    static constexpr std::string_view kind = "hardtanh";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"Hardtanh", "ReLU6"};  // PyTorch
    float min_value = -1.0f;
    float max_value = 1.0f;
    // deeplite's trace counts no MACs for aten::hardtanh (ReLU6), unlike relu: mobilenet_v2's golden total says so.
    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return detail::same_shape(inputs, "hardtanh"); }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        const float lo = min_value, hi = max_value;
        detail::map_elements(x, y, [lo, hi](float v) { return v < lo ? lo : (v > hi ? hi : v); });
    }
};

inline hardtanh relu6() { return {0.0f, 6.0f}; }

}  // namespace xddp
