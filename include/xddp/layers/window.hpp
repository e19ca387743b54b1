#pragma once
// The layers' side of the sliding-window geometry (window2d, kernels/window.hpp): building a layer's window
// from its options, checking it, and the output shape with a shape_error naming the layer.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "xddp/kernels/window.hpp"
#include "xddp/layers/detail/checks.hpp"

namespace xddp {

// Checks a layer's window: positive kernel, stride and dilation, else a value_error naming the layer kind.
inline void validate_window(const window2d& w, std::string_view kind) {
    for (int d = 0; d < 2; ++d) {
        detail::require(w.kernel[d] > 0, kind, "kernel size must be positive");
        detail::require(w.stride[d] > 0, kind, "stride must be positive");
        detail::require(w.dilation[d] > 0, kind, "dilation must be positive");
    }
}

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
