#pragma once
// linear: y = x W^T + b, weights in PyTorch layout (out, in). The input is (N, in) or any (N, ...)
// whose per-sample size is `in` (an implicit flatten, as torch.flatten before a classifier).
// The weights stream once per forward pass, in blocks applied to every input (kernels/host/matrix_vector.hpp):
// an input's output is the same bits whatever batch it comes in and whatever the thread count.

#include <cstddef>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "xddp/core/layer.hpp"
#include "xddp/kernels/host/blas.hpp"
#include "xddp/kernels/host/matrix_vector.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp {

struct linear_options {
    std::size_t in_features = 0;
    std::size_t out_features = 0;
    bool bias = true;
};

class linear {
public:
    static constexpr std::string_view kind = "linear";
    static constexpr profile_role role = profile_role::starts_layer;
    static constexpr std::string_view aliases[] = {"Linear"};  // PyTorch

    explicit linear(const linear_options& o) : options_(o) {
        detail::require(o.in_features > 0 && o.out_features > 0, "linear", "feature counts must be positive");
        weight_ = xt::zeros<float>({o.out_features, o.in_features});
        bias_ = xt::zeros<float>({o.bias ? o.out_features : std::size_t{0}});
    }

    const linear_options& options() const noexcept { return options_; }
    xt::xtensor<float, 2>& weight() noexcept { return weight_; }
    const xt::xtensor<float, 2>& weight() const noexcept { return weight_; }
    xt::xtensor<float, 1>& bias() noexcept { return bias_; }
    const xt::xtensor<float, 1>& bias() const noexcept { return bias_; }

    // in x out per row in both conventions; no bias.
    layer_cost cost(std::span<const shape_t> inputs) const {
        const shape_t out = output_shape(inputs);
        const std::uint64_t outputs = checked_element_count(out, "linear output");
        const std::uint64_t macs = checked_mul(outputs, options_.in_features, "linear MACs");
        return {macs, macs, weight_.size() + bias_.size(), checked_mul(outputs, sizeof(float), "linear output bytes")};
    }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "linear");
        if (in.size() < 2 || element_count(std::span(in).subspan(1)) != options_.in_features)
            throw shape_error("linear: input shape " + to_string(in) + " does not fit, expected (N, " +
                              std::to_string(options_.in_features) + ") or (N, ...) with " +
                              std::to_string(options_.in_features) + " elements per sample");
        return {in[0], options_.out_features};
    }

    std::vector<parameter> parameters() {
        std::vector<parameter> p{{"weight", {options_.out_features, options_.in_features}, weight_.data(), true}};
        if (options_.bias) p.push_back({"bias", {options_.out_features}, bias_.data(), true});
        return p;
    }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        const shape_t out = output_shape(std::span(&in, 1));
        y.resize(out);
        const std::size_t n = in[0], k = options_.in_features, m = options_.out_features;
        kernels::host::matrix_rows(m, k, weight_.data(), n, x.data(), y.data());
        if (options_.bias)
            for (std::size_t b = 0; b < n; ++b)
                for (std::size_t o = 0; o < m; ++o) y.data()[b * m + o] += bias_.data()[o];
    }

private:
    linear_options options_;
    xt::xtensor<float, 2> weight_;
    xt::xtensor<float, 1> bias_;
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/linear.hpp"
