#pragma once
// Sliding-window geometry shared by conv2d and the pools: kernel, stride, padding (begin and end,
// which differ only for ONNX's asymmetric pads), dilation, and PyTorch's output-size rule.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "xddp/kernels/window.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp {

using pair_t = std::array<std::size_t, 2>;

struct window2d {
    pair_t kernel{1, 1};
    pair_t stride{1, 1};
    pair_t pad_begin{0, 0};  // top, left
    pair_t pad_end{0, 0};    // bottom, right
    pair_t dilation{1, 1};
    bool ceil_mode = false;

    std::size_t extent(int d) const { return dilation[d] * (kernel[d] - 1) + 1; }

    void validate(std::string_view kind) const {
        for (int d = 0; d < 2; ++d) {
            detail::require(kernel[d] > 0, kind, "kernel size must be positive");
            detail::require(stride[d] > 0, kind, "stride must be positive");
            detail::require(dilation[d] > 0, kind, "dilation must be positive");
        }
    }

    // Output extent along dimension d (0 = height, 1 = width) for input extent n, or 0 if none fits.
    std::size_t output(std::size_t n, int d) const {
        const std::size_t padded = n + pad_begin[d] + pad_end[d];
        if (padded < extent(d)) return 0;
        std::size_t span = padded - extent(d);
        std::size_t out = (ceil_mode ? (span + stride[d] - 1) / stride[d] : span / stride[d]) + 1;
        // PyTorch: with ceil_mode the last window must start inside the input or the leading padding.
        if (ceil_mode && (out - 1) * stride[d] >= n + pad_begin[d]) --out;
        return out;
    }
};

// Builds the window of a layer from symmetric padding plus an optional distinct end padding.
inline window2d make_window(pair_t kernel, pair_t stride, pair_t padding, std::optional<pair_t> padding_end,
                            pair_t dilation, bool ceil_mode) {
    return {kernel, stride, padding, padding_end.value_or(padding), dilation, ceil_mode};
}

// Output spatial shape (N, C, Ho, Wo) of a window layer, or a shape_error naming the layer kind.
inline shape_t window_output_shape(const window2d& w, const shape_t& in, std::size_t out_channels,
                                   std::string_view kind) {
    const std::size_t ho = w.output(in[2], 0), wo = w.output(in[3], 1);
    if (ho == 0 || wo == 0)
        throw shape_error(std::string(kind) + ": input shape " + to_string(in) + " is smaller than the window " +
                          to_string({w.extent(0), w.extent(1)}) + " (kernel with dilation) plus padding");
    return {in[0], out_channels, ho, wo};
}

// The tap geometry of a window (kernels/window.hpp) that the host rules and the device kernels share.
inline kernels::window taps_of(const window2d& w) {
    return {w.kernel[0], w.kernel[1], w.stride[0], w.stride[1], w.pad_begin[0], w.pad_begin[1], w.dilation[0], w.dilation[1]};
}

}  // namespace xddp
