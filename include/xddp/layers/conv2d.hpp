#pragma once
// conv2d: 2-D convolution over (N, C, H, W) with stride, padding (symmetric or not), dilation, groups,
// non-square kernels and an optional bias. Weights in PyTorch layout (C_out, C_in/groups, kH, kW).
// Forward: the register-tiled direct kernel (kernels/host/direct_conv2d.hpp) at the active SIMD level
// (core/simd_level.hpp) where the groups are not too narrow; at the scalar level, and otherwise, im2col (row memcpy) + one sgemm per image and group, where 1x1
// stride-1 convs skip im2col.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "xddp/core/layer.hpp"
#include "xddp/kernels/host/blas.hpp"
#include "xddp/kernels/host/direct_conv2d.hpp"
#include "xddp/kernels/host/im2col.hpp"
#include "xddp/layers/window.hpp"

namespace xddp {

struct conv2d_options {
    std::size_t in_channels = 0;
    std::size_t out_channels = 0;
    pair_t kernel{1, 1};
    pair_t stride{1, 1};
    pair_t padding{0, 0};                // top, left (and bottom, right unless padding_end is set)
    std::optional<pair_t> padding_end{};  // bottom, right, for asymmetric padding
    pair_t dilation{1, 1};
    std::size_t groups = 1;
    bool bias = true;
};

class conv2d {
public:
    static constexpr std::string_view kind = "conv2d";
    static constexpr profile_role role = profile_role::starts_layer;
    static constexpr std::string_view aliases[] = {"Conv2d"};  // PyTorch

    explicit conv2d(const conv2d_options& o)
        : options_(o), window_(make_window(o.kernel, o.stride, o.padding, o.padding_end, o.dilation, false)) {
        validate_window(window_, "conv2d");
        detail::require(o.in_channels > 0 && o.out_channels > 0, "conv2d", "channel counts must be positive");
        detail::require(o.groups > 0 && o.in_channels % o.groups == 0 && o.out_channels % o.groups == 0, "conv2d",
                        "groups (" + std::to_string(o.groups) + ") must divide in_channels (" +
                            std::to_string(o.in_channels) + ") and out_channels (" + std::to_string(o.out_channels) +
                            ")");
        weight_ = xt::zeros<float>({o.out_channels, o.in_channels / o.groups, o.kernel[0], o.kernel[1]});
        bias_ = xt::zeros<float>({o.bias ? o.out_channels : std::size_t{0}});
    }

    const conv2d_options& options() const noexcept { return options_; }
    const window2d& window() const noexcept { return window_; }
    xt::xtensor<float, 4>& weight() noexcept { return weight_; }
    const xt::xtensor<float, 4>& weight() const noexcept { return weight_; }
    xt::xtensor<float, 1>& bias() noexcept { return bias_; }  // empty without bias
    const xt::xtensor<float, 1>& bias() const noexcept { return bias_; }

    // Common: out x (C_in / groups) x kH x kW; deeplite adds one per output element (the bias or not).
    layer_cost cost(std::span<const shape_t> inputs) const {
        const shape_t out = output_shape(inputs);
        const std::uint64_t outputs = checked_element_count(out, "conv2d output");
        const std::uint64_t per_output = (options_.in_channels / options_.groups) * options_.kernel[0] * options_.kernel[1];
        const std::uint64_t macs = checked_mul(outputs, per_output, "conv2d MACs");
        return {macs, checked_add(macs, outputs, "conv2d MACs"), weight_.size() + bias_.size(),
                checked_mul(outputs, sizeof(float), "conv2d output bytes")};
    }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "conv2d");
        detail::expect_nchw(in, "conv2d", options_.in_channels,
                            "(N, " + std::to_string(options_.in_channels) + ", H, W)");
        return window_output_shape(window_, in, options_.out_channels, "conv2d");
    }

    std::vector<parameter> parameters() {
        std::vector<parameter> p{{"weight", shape_t(weight_.shape().begin(), weight_.shape().end()), weight_.data(), true}};
        if (options_.bias) p.push_back({"bias", {options_.out_channels}, bias_.data(), true});
        return p;
    }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        const shape_t out = output_shape(std::span(&in, 1));
        y.resize(out);
        const std::size_t n = in[0], c = in[1], h = in[2], w = in[3];
        const std::size_t ho = out[2], wo = out[3], hw_out = ho * wo;
        const std::size_t groups = options_.groups;
        const std::size_t cg = c / groups, og = options_.out_channels / groups;
        const std::size_t k = cg * window_.kernel[0] * window_.kernel[1];
        if (const simd_level level = active_simd_level(); kernels::host::direct_conv2d_suits(level, og)) {
            kernels::host::direct_conv2d(level, x.data(), n, c, h, w, weight_.data(), options_.bias ? bias_.data() : nullptr,
                                         options_.out_channels, groups, window_, ho, wo, y.data());
            return;
        }
        const bool direct = window_.kernel == pair_t{1, 1} && window_.stride == pair_t{1, 1} &&
                            window_.pad_begin == pair_t{0, 0} && window_.pad_end == pair_t{0, 0};
        std::vector<float> cols(direct ? 0 : k * hw_out);
        for (std::size_t b = 0; b < n; ++b) {
            for (std::size_t g = 0; g < groups; ++g) {
                const float* src = x.data() + (b * c + g * cg) * h * w;
                if (!direct) kernels::host::im2col(src, cg, h, w, window_, ho, wo, cols.data());
                float* dst = y.data() + (b * options_.out_channels + g * og) * hw_out;
                kernels::host::gemm(og, hw_out, k, weight_.data() + g * og * k, k, direct ? src : cols.data(), hw_out,
                                    dst, hw_out);
            }
            if (options_.bias) {
                float* dst = y.data() + b * options_.out_channels * hw_out;
                for (std::size_t o = 0; o < options_.out_channels; ++o) {
                    const float bo = bias_(o);
                    float* row = dst + o * hw_out;
                    for (std::size_t i = 0; i < hw_out; ++i) row[i] += bo;
                }
            }
        }
    }

private:
    conv2d_options options_;
    window2d window_;
    xt::xtensor<float, 4> weight_;
    xt::xtensor<float, 1> bias_;
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/conv2d.hpp"
