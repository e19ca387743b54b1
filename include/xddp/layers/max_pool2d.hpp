#pragma once
// max_pool2d over (N, C, H, W): kernel, stride (default = kernel), padding, dilation, ceil_mode.
// Padding never wins a window (PyTorch's -inf padding); windows are planes of a tight loop.

#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "xddp/core/layer.hpp"
#include "xddp/core/parallel_for.hpp"
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
    static constexpr layer_kind kind = layer_kind::max_pool2d;

    explicit max_pool2d(const max_pool2d_options& o = {})
        : options_(o),
          window_(make_window(o.kernel, o.stride.value_or(o.kernel), o.padding, o.padding_end, o.dilation, o.ceil_mode)) {
        window_.validate("max_pool2d");
        for (int d = 0; d < 2; ++d)
            detail::require(2 * window_.pad_begin[d] <= window_.kernel[d] && 2 * window_.pad_end[d] <= window_.kernel[d],
                            "max_pool2d", "padding must be at most half the kernel size");
    }

    const max_pool2d_options& options() const noexcept { return options_; }
    const window2d& window() const noexcept { return window_; }

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
        const std::size_t h = in[2], w = in[3], ho = out[2], wo = out[3];
        const float* src = x.data();
        float* dst = y.data();
        const window2d win = window_;
        parallel_for(0, in[0] * in[1], [&](std::size_t plane) {
            const float* p = src + plane * h * w;
            float* q = dst + plane * ho * wo;
            for (std::size_t i = 0; i < ho; ++i) {
                for (std::size_t j = 0; j < wo; ++j) {
                    float best = -std::numeric_limits<float>::infinity();
                    for (std::size_t r = 0; r < win.kernel[0]; ++r) {
                        const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(i * win.stride[0] + r * win.dilation[0]) -
                                                  static_cast<std::ptrdiff_t>(win.pad_begin[0]);
                        if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(h)) continue;
                        const float* row = p + ih * static_cast<std::ptrdiff_t>(w);
                        for (std::size_t s = 0; s < win.kernel[1]; ++s) {
                            const std::ptrdiff_t iw = static_cast<std::ptrdiff_t>(j * win.stride[1] + s * win.dilation[1]) -
                                                      static_cast<std::ptrdiff_t>(win.pad_begin[1]);
                            if (iw < 0 || iw >= static_cast<std::ptrdiff_t>(w)) continue;
                            const float v = row[iw];
                            if (v > best || v != v) best = v;  // NaN propagates, as in PyTorch
                        }
                    }
                    q[i * wo + j] = best;
                }
            }
        });
    }

private:
    max_pool2d_options options_;
    window2d window_;
};

}  // namespace xddp
