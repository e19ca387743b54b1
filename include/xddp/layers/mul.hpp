#pragma once
// mul: the element-wise product of two activations of the same shape. It starts a profile layer and
// follows the residual add's rule (specs/ddp.md section 9, rules/mul.hpp).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/layer.hpp"
#include "xddp/kernels/device/mul.hpp"

namespace xddp {

struct mul {
    static constexpr std::string_view kind = "mul";
    static constexpr profile_role role = profile_role::starts_layer;

    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }
    shape_t output_shape(std::span<const shape_t> inputs) const {
        if (inputs.size() != 2) throw shape_error("mul: expected 2 inputs, got " + std::to_string(inputs.size()));
        if (inputs[0] != inputs[1])
            throw shape_error("mul: input shapes " + to_string(inputs[0]) + " and " + to_string(inputs[1]) +
                              " differ, expected equal shapes");
        return inputs[0];
    }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& a, const tensor_ref& b, activation& y) const {
        const shape_t shapes[2] = {a.shape(), b.shape()};
        y.resize(output_shape(shapes));
        const kernels::device::mul_body body{a.data(), b.data(), y.data()};
        for (std::size_t t = 0, n = a.size(); t < n; ++t) body(t);
    }
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/mul.hpp"
