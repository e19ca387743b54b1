#pragma once
// Deliberately naive reference layers for the tests: straight loops from the PyTorch definitions, no
// im2col, no BLAS, double accumulation. The fast layers must agree with these on random shapes.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>

#include <xtensor/xarray.hpp>

#include <xddp/layers/avg_pool2d.hpp>
#include <xddp/layers/conv2d.hpp>
#include <xddp/layers/max_pool2d.hpp>
#include <xddp/model/any_layer.hpp>

namespace reference {

// A uniform size in [lo, hi], for random shapes and options.
inline std::size_t pick(std::mt19937& rng, std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
}

// One forward pass of a layer on one input, as the graph runs it.
inline xt::xarray<float> run(const xddp::any_layer& layer, const xt::xarray<float>& x) {
    xddp::activation y;
    const xddp::tensor_ref in(x);
    layer.forward(std::span(&in, 1), y);
    return y;
}

inline xt::xarray<float> random_array(const xddp::shape_t& shape, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> dist(lo, hi);
    xt::xarray<float> a = xt::xarray<float>::from_shape(shape);
    for (auto& v : a) v = dist(rng);
    return a;
}

// PyTorch conv2d, one output element at a time.
inline xt::xarray<float> conv2d(const xddp::conv2d& layer, const xt::xarray<float>& x) {
    const auto& o = layer.options();
    const auto& win = layer.window();
    const xddp::shape_t in(x.shape().begin(), x.shape().end());
    const xddp::shape_t out = layer.output_shape(std::span(&in, 1));
    xt::xarray<float> y = xt::zeros<float>(out);
    const std::size_t cg = o.in_channels / o.groups, og = o.out_channels / o.groups;
    for (std::size_t n = 0; n < out[0]; ++n)
        for (std::size_t oc = 0; oc < out[1]; ++oc)
            for (std::size_t i = 0; i < out[2]; ++i)
                for (std::size_t j = 0; j < out[3]; ++j) {
                    double s = o.bias ? layer.bias()(oc) : 0.0;
                    const std::size_t g = oc / og;
                    for (std::size_t c = 0; c < cg; ++c)
                        for (std::size_t r = 0; r < o.kernel[0]; ++r)
                            for (std::size_t q = 0; q < o.kernel[1]; ++q) {
                                const long ih = long(i * win.stride[0] + r * win.dilation[0]) - long(win.pad_begin[0]);
                                const long iw = long(j * win.stride[1] + q * win.dilation[1]) - long(win.pad_begin[1]);
                                if (ih < 0 || iw < 0 || ih >= long(in[2]) || iw >= long(in[3])) continue;
                                s += double(layer.weight()(oc, c, r, q)) * x(n, g * cg + c, ih, iw);
                            }
                    y(n, oc, i, j) = static_cast<float>(s);
                }
    return y;
}

inline xt::xarray<float> max_pool2d(const xddp::max_pool2d& layer, const xt::xarray<float>& x) {
    const auto& win = layer.window();
    const xddp::shape_t in(x.shape().begin(), x.shape().end());
    const xddp::shape_t out = layer.output_shape(std::span(&in, 1));
    xt::xarray<float> y = xt::zeros<float>(out);
    for (std::size_t n = 0; n < out[0]; ++n)
        for (std::size_t c = 0; c < out[1]; ++c)
            for (std::size_t i = 0; i < out[2]; ++i)
                for (std::size_t j = 0; j < out[3]; ++j) {
                    float m = -std::numeric_limits<float>::infinity();
                    for (std::size_t r = 0; r < win.kernel[0]; ++r)
                        for (std::size_t q = 0; q < win.kernel[1]; ++q) {
                            const long ih = long(i * win.stride[0] + r * win.dilation[0]) - long(win.pad_begin[0]);
                            const long iw = long(j * win.stride[1] + q * win.dilation[1]) - long(win.pad_begin[1]);
                            if (ih < 0 || iw < 0 || ih >= long(in[2]) || iw >= long(in[3])) continue;
                            m = std::max(m, x(n, c, ih, iw));
                        }
                    y(n, c, i, j) = m;
                }
    return y;
}

// PyTorch's avg_pool2d divisor: the window clipped to the padded input (count_include_pad), else to the input.
inline xt::xarray<float> avg_pool2d(const xddp::avg_pool2d& layer, const xt::xarray<float>& x) {
    const auto& win = layer.window();
    const bool include_pad = layer.options().count_include_pad;
    const xddp::shape_t in(x.shape().begin(), x.shape().end());
    const xddp::shape_t out = layer.output_shape(std::span(&in, 1));
    xt::xarray<float> y = xt::zeros<float>(out);
    for (std::size_t n = 0; n < out[0]; ++n)
        for (std::size_t c = 0; c < out[1]; ++c)
            for (std::size_t i = 0; i < out[2]; ++i)
                for (std::size_t j = 0; j < out[3]; ++j) {
                    const long h0 = long(i * win.stride[0]) - long(win.pad_begin[0]);
                    const long w0 = long(j * win.stride[1]) - long(win.pad_begin[1]);
                    const long h1 = std::min(h0 + long(win.kernel[0]), long(in[2] + win.pad_end[0]));
                    const long w1 = std::min(w0 + long(win.kernel[1]), long(in[3] + win.pad_end[1]));
                    double s = 0;
                    long inside = 0;
                    for (long ih = h0; ih < h1; ++ih)
                        for (long iw = w0; iw < w1; ++iw)
                            if (ih >= 0 && iw >= 0 && ih < long(in[2]) && iw < long(in[3])) {
                                s += x(n, c, ih, iw);
                                ++inside;
                            }
                    const long divisor = include_pad ? (h1 - h0) * (w1 - w0) : inside;
                    y(n, c, i, j) = static_cast<float>(s / double(divisor));
                }
    return y;
}

// PyTorch's adaptive windows: [floor(i*H/out), ceil((i+1)*H/out)).
inline xt::xarray<float> adaptive_avg_pool2d(std::size_t oh, std::size_t ow, const xt::xarray<float>& x) {
    const std::size_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
    xt::xarray<float> y = xt::zeros<float>({N, C, oh, ow});
    for (std::size_t n = 0; n < N; ++n)
        for (std::size_t c = 0; c < C; ++c)
            for (std::size_t i = 0; i < oh; ++i)
                for (std::size_t j = 0; j < ow; ++j) {
                    const auto h0 = std::size_t(std::floor(double(i) * H / oh)), h1 = std::size_t(std::ceil(double(i + 1) * H / oh));
                    const auto w0 = std::size_t(std::floor(double(j) * W / ow)), w1 = std::size_t(std::ceil(double(j + 1) * W / ow));
                    double s = 0;
                    for (std::size_t a = h0; a < h1; ++a)
                        for (std::size_t b = w0; b < w1; ++b) s += x(n, c, a, b);
                    y(n, c, i, j) = static_cast<float>(s / double((h1 - h0) * (w1 - w0)));
                }
    return y;
}

// Element-wise closeness with rtol/atol, reporting the first mismatch.
inline bool allclose(const xt::xarray<float>& a, const xt::xarray<float>& b, double rtol, double atol, std::string* why = nullptr) {
    if (a.shape() != b.shape()) {
        if (why) *why = "shapes differ";
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double x = a.data()[i], y = b.data()[i];
        if (!(std::abs(x - y) <= atol + rtol * std::abs(y))) {
            if (why) *why = "element " + std::to_string(i) + ": " + std::to_string(x) + " vs " + std::to_string(y);
            return false;
        }
    }
    return true;
}

}  // namespace reference
