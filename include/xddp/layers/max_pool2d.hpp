#pragma once
// max_pool2d over (N, C, H, W): kernel, stride (default = kernel), padding, dilation, ceil_mode.
// Padding never wins a window (PyTorch's -inf padding); NaN propagates. Kernel: kernels/host/max_pool2d.hpp.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "xddp/core/layer.hpp"
#include "xddp/kernels/host/max_pool2d.hpp"
#include "xddp/layers/window.hpp"

namespace xddp {

struct max_pool2d_options {
    pair_t kernel{2, 2};
    std::optional<pair_t> stride{};  // defaults to the kernel, as in PyTorch
    pair_t padding{0, 0};
    std::optional<pair_t> padding_end{};
    pair_t dilation{1, 1};
    bool ceil_mode = false;
};

class max_pool2d {
public:
    static constexpr std::string_view kind = "max_pool2d";
    static constexpr profile_role role = profile_role::starts_layer;
    static constexpr std::string_view aliases[] = {"MaxPool2d"};  // PyTorch

    explicit max_pool2d(const max_pool2d_options& o = {})
        : options_(o),
          window_(make_window(o.kernel, o.stride.value_or(o.kernel), o.padding, o.padding_end, o.dilation, o.ceil_mode)) {
        validate_window(window_, "max_pool2d");
        for (int d = 0; d < 2; ++d)
            detail::require(2 * window_.pad_begin[d] <= window_.kernel[d] && 2 * window_.pad_end[d] <= window_.kernel[d],
                            "max_pool2d", "padding must be at most half the kernel size");
    }

    const max_pool2d_options& options() const noexcept { return options_; }
    const window2d& window() const noexcept { return window_; }

    // deeplite counts a max pool by its input elements.
    layer_cost cost(std::span<const shape_t> inputs) const {
        const shape_t out = output_shape(inputs);  // validates inputs first
        return output_cost(out, checked_element_count(inputs[0], "max_pool2d input"));
    }

    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "max_pool2d");
        if (in.size() != 4) throw shape_error("max_pool2d: input shape " + to_string(in) + " does not fit, expected (N, C, H, W)");
        return window_output_shape(window_, in, in[1], "max_pool2d");
    }

    std::vector<parameter> parameters() { return {}; }

    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        const shape_t out = output_shape(std::span(&in, 1));
        y.resize(out);
        kernels::host::max_pool2d(x.data(), in[0] * in[1], in[2], in[3], window_, out[2], out[3], y.data());
    }

private:
    max_pool2d_options options_;
    window2d window_;
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/max_pool2d.hpp"
