#pragma once
// The channels-last layout of the pattern analysis (specs/patterns.md "Layouts") and the conversions from
// and to PyTorch's. A conv kernel (kh, kw, cin, cout) seen as a matrix has rows (kh, kw, cin), cin fastest,
// so that `patches @ W` is the convolution; a linear layer is (in, out), y = x W. A linear layer fed by the
// flatten of a (C, H, W) tensor reads its inputs in (h, w, c) order here, in (c, h, w) order in PyTorch.

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/layers/window.hpp"

namespace xddp {

// (H, W, C) of a spatial tensor in channels-last order.
using hwc_t = std::array<std::size_t, 3>;

// PyTorch conv weight (cout, cin, kh, kw) -> matrix (kh*kw*cin, cout), in double.
inline xt::xtensor<double, 2> conv_weight_channels_last(const float* torch, std::size_t cout, std::size_t cin,
                                                        std::size_t kh, std::size_t kw) {
    xt::xtensor<double, 2> m = xt::xtensor<double, 2>::from_shape({kh * kw * cin, cout});
    double* dst = m.data();
    for (std::size_t o = 0; o < cout; ++o)
        for (std::size_t c = 0; c < cin; ++c)
            for (std::size_t r = 0; r < kh; ++r)
                for (std::size_t q = 0; q < kw; ++q)
                    dst[((r * kw + q) * cin + c) * cout + o] = torch[((o * cin + c) * kh + r) * kw + q];
    return m;
}

// PyTorch linear weight (out, in) -> matrix (in, out), in double. With source = (H, W, C), the layer reads
// the flatten of a (C, H, W) tensor: its rows are reordered from (c, h, w) to (h, w, c).
inline xt::xtensor<double, 2> linear_weight_channels_last(const float* torch, std::size_t out, std::size_t in,
                                                          const std::optional<hwc_t>& source = std::nullopt) {
    if (source && (*source)[0] * (*source)[1] * (*source)[2] != in)
        throw shape_error("linear weight: " + std::to_string(in) + " inputs do not match the flattened (H, W, C) " +
                          to_string(std::span<const std::size_t>(source->data(), 3)));
    xt::xtensor<double, 2> m = xt::xtensor<double, 2>::from_shape({in, out});
    double* dst = m.data();
    for (std::size_t o = 0; o < out; ++o)
        for (std::size_t i = 0; i < in; ++i) {
            std::size_t row = i;
            if (source) {
                const auto [h, w, c] = *source;
                const std::size_t ch = i / (h * w), y = (i / w) % h, x = i % w;
                row = (y * w + x) * c + ch;
            }
            dst[row * out + o] = torch[o * in + i];
        }
    return m;
}

// The inverse of conv_weight_channels_last: matrix (kh*kw*cin, cout) -> (cout, cin, kh, kw).
inline xt::xarray<double> conv_matrix_to_torch(const xt::xtensor<double, 2>& m, std::size_t cin, std::size_t kh,
                                               std::size_t kw) {
    const std::size_t cout = m.shape()[1];
    if (m.shape()[0] != kh * kw * cin)
        throw shape_error("conv matrix of shape " + to_string(shape_t(m.shape().begin(), m.shape().end())) +
                          " does not fit a (" + std::to_string(kh) + ", " + std::to_string(kw) + ", " +
                          std::to_string(cin) + ", cout) kernel");
    xt::xarray<double> t = xt::xarray<double>::from_shape({cout, cin, kh, kw});
    for (std::size_t o = 0; o < cout; ++o)
        for (std::size_t c = 0; c < cin; ++c)
            for (std::size_t r = 0; r < kh; ++r)
                for (std::size_t q = 0; q < kw; ++q)
                    t.data()[((o * cin + c) * kh + r) * kw + q] = m.data()[((r * kw + q) * cin + c) * cout + o];
    return t;
}

// The inverse of linear_weight_channels_last: matrix (in, out) -> (out, in) in PyTorch's input order.
inline xt::xarray<double> linear_matrix_to_torch(const xt::xtensor<double, 2>& m,
                                                 const std::optional<hwc_t>& source = std::nullopt) {
    const std::size_t in = m.shape()[0], out = m.shape()[1];
    xt::xarray<double> t = xt::xarray<double>::from_shape({out, in});
    for (std::size_t o = 0; o < out; ++o)
        for (std::size_t i = 0; i < in; ++i) {
            std::size_t row = i;
            if (source) {
                const auto [h, w, c] = *source;
                row = ((i / w) % h * w + i % w) * c + i / (h * w);
            }
            t.data()[o * in + i] = m.data()[row * out + o];
        }
    return t;
}

// Visits the taps of a convolution's windows over an (H, W, C) image in row order: tap t = ((oh * wo + ow) * kh
// + r) * kw + q, with the (ih * W + iw) image position it reads, or -1 where it falls on padding.
template <class F>
void for_each_window_tap(const hwc_t& in, const window2d& win, std::size_t ho, std::size_t wo, F&& f) {
    const auto [h, w, c] = in;
    const std::size_t kh = win.kernel[0], kw = win.kernel[1];
    std::size_t tap = 0;
    for (std::size_t oh = 0; oh < ho; ++oh)
        for (std::size_t ow = 0; ow < wo; ++ow)
            for (std::size_t r = 0; r < kh; ++r) {
                const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(oh * win.stride[0] + r * win.dilation[0]) -
                                          static_cast<std::ptrdiff_t>(win.pad_begin[0]);
                for (std::size_t q = 0; q < kw; ++q, ++tap) {
                    const std::ptrdiff_t iw = static_cast<std::ptrdiff_t>(ow * win.stride[1] + q * win.dilation[1]) -
                                              static_cast<std::ptrdiff_t>(win.pad_begin[1]);
                    const bool inside = ih >= 0 && iw >= 0 && ih < static_cast<std::ptrdiff_t>(h) &&
                                        iw < static_cast<std::ptrdiff_t>(w);
                    f(tap, inside ? ih * static_cast<std::ptrdiff_t>(w) + iw : std::ptrdiff_t{-1});
                }
            }
}

// The rows of a convolution over one channels-last image x (H, W, C): one row per output position
// (oh, ow), each listing (kh, kw, C) with C fastest; padded positions are zeros. rows: (Ho*Wo, kh*kw*C).
inline void extract_patches(const double* x, const hwc_t& in, const window2d& win, std::size_t ho, std::size_t wo,
                            double* rows) {
    const std::size_t c = in[2];
    for_each_window_tap(in, win, ho, wo, [&](std::size_t tap, std::ptrdiff_t pixel) {
        double* row = rows + tap * c;
        if (pixel < 0) std::memset(row, 0, c * sizeof(double));
        else std::memcpy(row, x + static_cast<std::size_t>(pixel) * c, c * sizeof(double));
    });
}

// The adjoint of extract_patches: adds every row's entries back onto the image positions they came from.
inline void accumulate_patches(const double* rows, const hwc_t& in, const window2d& win, std::size_t ho,
                               std::size_t wo, double* x) {
    const std::size_t c = in[2];
    for_each_window_tap(in, win, ho, wo, [&](std::size_t tap, std::ptrdiff_t pixel) {
        if (pixel < 0) return;
        const double* row = rows + tap * c;
        double* dst = x + static_cast<std::size_t>(pixel) * c;
        for (std::size_t k = 0; k < c; ++k) dst[k] += row[k];
    });
}

}  // namespace xddp
