#pragma once
// add: the residual sum of two tensors of the same shape.

#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "xddp/core/layer.hpp"

namespace xddp {

struct add {
    static constexpr std::string_view kind = "add";
    static constexpr profile_role role = profile_role::starts_layer;
    static constexpr bool head_is_tail = true;  // DDP reads a residual add's influence after its ReLU

    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }
    shape_t output_shape(std::span<const shape_t> inputs) const {
        if (inputs.size() != 2) throw shape_error("add: expected 2 inputs, got " + std::to_string(inputs.size()));
        if (inputs[0] != inputs[1])
            throw shape_error("add: input shapes " + to_string(inputs[0]) + " and " + to_string(inputs[1]) +
                              " differ, expected equal shapes");
        return inputs[0];
    }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& a, const tensor_ref& b, activation& y) const {
        const shape_t shapes[2] = {a.shape(), b.shape()};
        y.resize(output_shape(shapes));
        const float* p = a.data();
        const float* q = b.data();
        float* dst = y.data();
        for (std::size_t i = 0, n = a.size(); i < n; ++i) dst[i] = p[i] + q[i];
    }
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/add.hpp"
