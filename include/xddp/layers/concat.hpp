#pragma once
// concat: torch.cat along the channel axis of N inputs (N, C_k, ...) that agree in every other axis
// (DenseNet, GoogLeNet, Inception, SqueezeNet, ShuffleNet v2). A routing layer: output channel c is channel
// c - offset_k of input k, where offset_k is the number of channels of the inputs before k
// (specs/ddp.md section 9). Device kernel body: kernels/device/concat.hpp.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/checked.hpp"
#include "xddp/core/layer.hpp"

namespace xddp {

struct concat {
    static constexpr std::string_view kind = "concat";
    static constexpr profile_role role = profile_role::starts_layer;

    // Copies only: no MACs in either convention (specs/metrics.md: cat = 0).
    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        if (inputs.empty()) throw shape_error("concat: expected at least 1 input, got 0");
        const shape_t& first = inputs[0];
        if (first.size() < 2)
            throw shape_error("concat: input 0 has shape " + to_string(first) + ", expected (N, C, ...) with a channel axis");
        shape_t out = first;
        out[1] = 0;
        for (std::size_t k = 0; k < inputs.size(); ++k) {
            const shape_t& in = inputs[k];
            if (in.size() != first.size() || in[0] != first[0] || !std::equal(in.begin() + 2, in.end(), first.begin() + 2))
                throw shape_error("concat: input " + std::to_string(k) + " has shape " + to_string(in) +
                                  ", expected the shape of input 0 " + to_string(first) + " in every axis but the channels (1)");
            out[1] = checked_add(out[1], in[1], "concat channels");
        }
        return out;
    }

    std::vector<parameter> parameters() { return {}; }

    void forward(std::span<const tensor_ref> inputs, activation& y) const {
        std::vector<shape_t> shapes;
        shapes.reserve(inputs.size());
        for (const tensor_ref& x : inputs) shapes.push_back(x.shape());
        const shape_t out = output_shape(shapes);
        y.resize(out);
        const std::size_t batch = out[0], positions = element_count(std::span(out).subspan(2));
        float* dst = y.data();
        for (std::size_t b = 0; b < batch; ++b)
            for (const tensor_ref& x : inputs) {
                const std::size_t block = x.shape()[1] * positions;
                if (block) std::memcpy(dst, x.data() + b * block, block * sizeof(float));
                dst += block;
            }
    }
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/concat.hpp"
