#pragma once
// avg_pool2d over (N, C, H, W) with PyTorch's divisor rule: the window clipped to the padded input,
// or to the input itself when count_include_pad is false (an ONNX AveragePool maps here).

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "xddp/core/layer.hpp"
#include "xddp/core/parallel_for.hpp"
#include "xddp/layers/window.hpp"

namespace xddp {

struct avg_pool2d_options {
    pair_t kernel{2, 2};
    std::optional<pair_t> stride{};  // defaults to the kernel
    pair_t padding{0, 0};
    std::optional<pair_t> padding_end{};
    bool ceil_mode = false;
    bool count_include_pad = true;
};

class avg_pool2d {
public:
    static constexpr std::string_view kind = "avg_pool2d";
    static constexpr profile_role role = profile_role::starts_layer;
    static constexpr std::string_view aliases[] = {"AvgPool2d"};  // PyTorch

    explicit avg_pool2d(const avg_pool2d_options& o = {})
        : options_(o), window_(make_window(o.kernel, o.stride.value_or(o.kernel), o.padding, o.padding_end, {1, 1},
                                           o.ceil_mode)) {
        validate_window(window_, "avg_pool2d");
        for (int d = 0; d < 2; ++d)
            detail::require(2 * window_.pad_begin[d] <= window_.kernel[d] && 2 * window_.pad_end[d] <= window_.kernel[d],
                            "avg_pool2d", "padding must be at most half the kernel size");
    }

    const avg_pool2d_options& options() const noexcept { return options_; }
    const window2d& window() const noexcept { return window_; }

    layer_cost cost(std::span<const shape_t> inputs) const { return per_output_element_cost(output_shape(inputs)); }
    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::single_input(inputs, "avg_pool2d");
        if (in.size() != 4) throw shape_error("avg_pool2d: input shape " + to_string(in) + " does not fit, expected (N, C, H, W)");
        return window_output_shape(window_, in, in[1], "avg_pool2d");
    }

    std::vector<parameter> parameters() { return {}; }

    // Window of output position o along dimension d (0 rows, 1 columns) for input extent n: input
    // [begin, end) clipped to the input, and the divisor extent PyTorch uses for it.
    kernels::pool_span window_span(std::size_t o, std::size_t n, int d) const {
        return kernels::avg_pool_span(o, n, window_.kernel[d], window_.stride[d], window_.pad_begin[d], window_.pad_end[d],
                                      options_.count_include_pad);
    }

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
                const kernels::pool_span bi = window_span(i, h, 0);
                for (std::size_t j = 0; j < wo; ++j) {
                    const kernels::pool_span bj = window_span(j, w, 1);
                    float sum = 0.0f;
                    for (std::size_t r = bi.begin; r < bi.end; ++r)
                        for (std::size_t s = bj.begin; s < bj.end; ++s) sum += p[r * w + s];
                    q[i * wo + j] = sum / static_cast<float>(bi.divisor * bj.divisor);
                }
            }
        });
    }

private:
    avg_pool2d_options options_;
    window2d window_;
};

}  // namespace xddp

// Its contribution rule, visible wherever the layer is (core/contribution_rule.hpp).
#include "xddp/profile/rules/avg_pool2d.hpp"
