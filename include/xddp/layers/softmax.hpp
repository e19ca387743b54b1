#pragma once
// softmax over the channel axis of (N, C, ...): exp(x - max) / sum over channels of exp(x - max) at each
// position, absorbed into the layer before it (specs/ddp.md section 9: its tail is positive, so influence
// masks out every neuron whose head is not).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/layer.hpp"
#include "xddp/kernels/device/softmax.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp {

struct softmax {
    static constexpr std::string_view kind = "softmax";
    static constexpr profile_role role = profile_role::absorbed;
    static constexpr std::string_view aliases[] = {"Softmax"};  // PyTorch, over dim 1
    // deeplite counts no MACs for softmax (specs/metrics.md).
    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }
    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "softmax");
        if (in.size() < 2 || in[1] == 0)
            throw shape_error("softmax: input shape " + to_string(in) + " does not fit, expected (N, C, ...) with C >= 1");
        return in;
    }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        y.resize(output_shape(std::span(&in, 1)));
        const std::size_t channels = in[1], positions = element_count(std::span(in).subspan(2));
        const float* src = x.data();
        float* dst = y.data();
        // The kernel body's expressions (kernels/device/softmax.hpp), with each position's max and sum once.
        for (std::size_t n = 0; n < in[0]; ++n)
            for (std::size_t p = 0; p < positions; ++p) {
                const std::size_t first = n * channels * positions + p;
                const float m = kernels::device::strided_max(src + first, channels, positions);
                const float s = kernels::device::strided_exp_sum(src + first, channels, positions, m);
                for (std::size_t c = 0; c < channels; ++c) {
                    const std::size_t i = first + c * positions;
                    dst[i] = ::expf(src[i] - m) / s;
                }
            }
    }
};

}  // namespace xddp
