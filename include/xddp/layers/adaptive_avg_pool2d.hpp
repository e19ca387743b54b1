#pragma once
// adaptive_avg_pool2d to a fixed (out_h, out_w), with PyTorch's window rule
// start = floor(i*H/out), end = ceil((i+1)*H/out): windows overlap when the sizes do not divide.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "xddp/core/layer.hpp"
#include "xddp/core/parallel_for.hpp"
#include "xddp/layers/window.hpp"

namespace xddp {

class adaptive_avg_pool2d {
public:
    static constexpr std::string_view kind = "adaptive_avg_pool2d";
    static constexpr profile_role role = profile_role::starts_layer;
    static constexpr std::string_view aliases[] = {"AdaptiveAvgPool2d"};  // PyTorch

    explicit adaptive_avg_pool2d(pair_t output_size = {1, 1}) : output_size_(output_size) {
        detail::require(output_size[0] > 0 && output_size[1] > 0, "adaptive_avg_pool2d", "output size must be positive");
    }

    // A fixed pool (an ONNX AveragePool with kernel = stride tiling its input) that computes as this adaptive
    // pool over exactly the input extent `input`, and only there: another input extent would change its
    // windows, where the fixed pool keeps its kernel, so output_shape refuses it.
    static adaptive_avg_pool2d fixed(pair_t kernel, pair_t input) {
        detail::require(kernel[0] > 0 && kernel[1] > 0 && input[0] % kernel[0] == 0 && input[1] % kernel[1] == 0,
                        "adaptive_avg_pool2d", "a fixed pool's kernel must tile its input");
        adaptive_avg_pool2d p({input[0] / kernel[0], input[1] / kernel[1]});
        p.fixed_kernel_ = kernel;
        return p;
    }

    pair_t output_size() const noexcept { return output_size_; }
    // The kernel of the fixed pool this one stands for (see fixed()), if any.
    std::optional<pair_t> fixed_kernel() const noexcept { return fixed_kernel_; }

    // Input rows (or columns) [begin, end) averaged into output index o, for input extent n.
    static std::pair<std::size_t, std::size_t> window(std::size_t o, std::size_t n, std::size_t out) {
        return {kernels::adaptive_begin(o, n, out), kernels::adaptive_end(o, n, out)};
    }

    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "adaptive_avg_pool2d");
        if (in.size() != 4 || in[2] == 0 || in[3] == 0)
            throw shape_error("adaptive_avg_pool2d: input shape " + to_string(in) +
                              " does not fit, expected (N, C, H, W) with H, W > 0");
        if (fixed_kernel_ && (in[2] != output_size_[0] * (*fixed_kernel_)[0] || in[3] != output_size_[1] * (*fixed_kernel_)[1]))
            throw shape_error("average pool with the fixed kernel " + to_string({(*fixed_kernel_)[0], (*fixed_kernel_)[1]}) +
                              " imported for input (" + std::to_string(output_size_[0] * (*fixed_kernel_)[0]) + ", " +
                              std::to_string(output_size_[1] * (*fixed_kernel_)[1]) + "): input shape " + to_string(in) +
                              " would change its windows; load the model with onnx_options::adaptive_pools = false to "
                              "keep the fixed pool at any input size");
        return {in[0], in[1], output_size_[0], output_size_[1]};
    }

    std::vector<parameter> parameters() { return {}; }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        const shape_t out = output_shape(std::span(&in, 1));
        y.resize(out);
        const std::size_t h = in[2], w = in[3], ho = out[2], wo = out[3];
        const float* src = x.data();
        float* dst = y.data();
        parallel_for(0, in[0] * in[1], [&](std::size_t plane) {
            const float* p = src + plane * h * w;
            float* q = dst + plane * ho * wo;
            for (std::size_t i = 0; i < ho; ++i) {
                const auto [r0, r1] = window(i, h, ho);
                for (std::size_t j = 0; j < wo; ++j) {
                    const auto [s0, s1] = window(j, w, wo);
                    float sum = 0.0f;
                    for (std::size_t r = r0; r < r1; ++r)
                        for (std::size_t s = s0; s < s1; ++s) sum += p[r * w + s];
                    q[i * wo + j] = sum / static_cast<float>((r1 - r0) * (s1 - s0));
                }
            }
        });
    }

private:
    pair_t output_size_;
    std::optional<pair_t> fixed_kernel_;
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/avg_pool2d.hpp"
