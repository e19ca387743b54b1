#pragma once
// gate: a (N, C, H, W) feature map times a per-channel factor (N, C, 1, 1) that the network computes from
// its own activations (squeeze-and-excitation); an (N, C) factor is taken as (N, C, 1, 1). It starts a profile layer whose predecessors are the
// feature map and the gate, in that order; the feature map carries every contribution (specs/ddp.md
// section 9, rules/gate.hpp).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/layer.hpp"

namespace xddp {

struct gate {
    static constexpr std::string_view kind = "gate";
    static constexpr profile_role role = profile_role::starts_layer;

    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }
    // inputs: the feature map (N, C, H, W), then the gate (N, C, 1, 1), or (N, C), which holds the same floats.
    shape_t output_shape(std::span<const shape_t> inputs) const {
        if (inputs.size() != 2) throw shape_error("gate: expected 2 inputs (feature map, gate), got " + std::to_string(inputs.size()));
        const shape_t& x = inputs[0];
        const shape_t& g = inputs[1];
        if (x.size() != 4 || (g != shape_t{x[0], x[1], 1, 1} && g != shape_t{x[0], x[1]}))
            throw shape_error("gate: feature map " + to_string(x) + " and gate " + to_string(g) +
                              " do not fit, expected (N, C, H, W) and (N, C, 1, 1) or (N, C)");
        return x;
    }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, const tensor_ref& g, activation& y) const {
        const shape_t shapes[2] = {x.shape(), g.shape()};
        y.resize(output_shape(shapes));
        const std::size_t planes = shapes[0][0] * shapes[0][1], positions = shapes[0][2] * shapes[0][3];
        const float* src = x.data();
        float* dst = y.data();
        for (std::size_t k = 0; k < planes; ++k) {
            const float factor = g.data()[k];
            for (std::size_t i = k * positions; i < (k + 1) * positions; ++i) dst[i] = src[i] * factor;
        }
    }
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/gate.hpp"
