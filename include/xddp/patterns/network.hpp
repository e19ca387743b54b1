#pragma once
// pattern_network: a chain graph re-expressed for the pattern analysis, in double precision and the
// channels-last layout of specs/patterns.md. Weights are converted once; one sample at a time runs through
// it, each kernel layer (conv2d, linear) handing its input rows X and its outputs Y = X W (no bias) to a
// hook. Why its own forward pass: the model's float32 pass moves the moments by ~1e-6 relative, and the
// analysis is specified (and checked) in double. One sample at a time, so batching cannot change a bit.
//
// Supported: a chain (each node fed by the one before it) of conv2d (groups 1, any kernel, stride, padding,
// dilation), linear, relu, max_pool2d, flatten and dropout. Anything else is an unsupported_error.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "xddp/core/error.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/dropout.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/patterns/layout.hpp"
#include "xddp/patterns/products.hpp"

namespace xddp {

// A layer with a kernel, as the pattern analysis sees it.
struct kernel_layer {
    std::string name;
    node_id node = 0;
    std::string_view kind = linear::kind;    // conv2d::kind or linear::kind
    shape_t kernel_shape;                    // channels-last: (kh, kw, cin, cout) or (in, out)
    shape_t torch_shape;                     // (cout, cin, kh, kw) or (out, in)
    std::optional<hwc_t> flatten_source;     // (H, W, C) of the tensor a linear layer reads flattened
    std::size_t rows_per_sample = 1;         // output positions of a conv, 1 for a linear layer
    xt::xtensor<double, 2> weight;           // matrix view (inputs, outputs), rows in channels-last order
    std::vector<double> bias;                // zeros where the layer has none
    // conv2d only: geometry of one sample.
    window2d window{};
    hwc_t input_hwc{}, output_hwc{};

    std::size_t inputs() const noexcept { return weight.shape()[0]; }
    std::size_t outputs() const noexcept { return weight.shape()[1]; }
};

// What a forward pass leaves behind for a backward pass: every step's input (channels-last) and the
// winners of every max pool.
struct pattern_trace {
    std::vector<std::vector<double>> inputs;
    std::vector<std::vector<std::size_t>> argmax;
    std::vector<double> output;
};

class pattern_network {
public:
    enum class op { kernel, relu, max_pool, reshape };

    struct step {
        op what = op::reshape;
        std::string name;
        std::size_t kernel = 0;             // index into kernel_layers() for op::kernel
        window2d window{};                  // op::max_pool
        std::optional<hwc_t> in_hwc, out_hwc;  // spatial shapes, empty for flat tensors
        std::size_t in_size = 0, out_size = 0;
    };

    explicit pattern_network(const graph& g) {
        const shape_t& in = g.input_shape();
        std::optional<hwc_t> spatial;
        std::size_t size = element_count(in);
        if (in.size() == 3) spatial = hwc_t{in[1], in[2], in[0]};
        else if (in.size() != 1)
            throw unsupported_error("pattern analysis: input shape " + to_string(in) +
                                    " is not supported; expected (C, H, W) or (features,)");
        input_chw_ = in;
        std::optional<hwc_t> flattened;  // (H, W, C) a flat tensor came from
        for (node_id id = 1; id < g.size(); ++id) {
            const node& n = g[id];
            const std::string where = "pattern analysis: layer '" + n.name + "' (" + std::string(n.layer->kind()) + ")";
            if (n.inputs.size() != 1 || n.inputs[0] != id - 1)
                throw unsupported_error(where + " is not fed by the layer before it; only chain models are supported");
            step s;
            s.name = n.name;
            s.in_hwc = spatial;
            s.in_size = size;
            // PatternNet's rules exist for these layer types only (specs/patterns.md).
            if (const auto* conv = n.layer->get_if<conv2d>()) {
                const auto& o = conv->options();
                if (o.groups != 1)
                    throw unsupported_error(where + " has groups = " + std::to_string(o.groups) + "; expected 1");
                if (!spatial) throw shape_error(where + " reads a flat tensor; expected (C, H, W)");
                kernel_layer k;
                k.name = n.name;
                k.node = id;
                k.kind = conv2d::kind;
                k.kernel_shape = {o.kernel[0], o.kernel[1], o.in_channels, o.out_channels};
                k.torch_shape = {o.out_channels, o.in_channels, o.kernel[0], o.kernel[1]};
                k.weight = conv_weight_channels_last(conv->weight().data(), o.out_channels, o.in_channels,
                                                     o.kernel[0], o.kernel[1]);
                k.bias.assign(o.out_channels, 0.0);
                if (o.bias) std::copy(conv->bias().begin(), conv->bias().end(), k.bias.begin());
                k.window = conv->window();
                k.input_hwc = *spatial;
                k.output_hwc = {n.shape[1], n.shape[2], n.shape[0]};
                k.rows_per_sample = n.shape[1] * n.shape[2];
                spatial = k.output_hwc;
                flattened.reset();
                s.what = op::kernel;
                s.kernel = kernels_.size();
                kernels_.push_back(std::move(k));
            } else if (const auto* lin = n.layer->get_if<linear>()) {
                const auto& o = lin->options();
                kernel_layer k;
                k.name = n.name;
                k.node = id;
                k.kind = linear::kind;
                k.flatten_source = spatial ? spatial : flattened;  // a spatial input is an implicit flatten
                k.kernel_shape = {o.in_features, o.out_features};
                k.torch_shape = {o.out_features, o.in_features};
                k.weight = linear_weight_channels_last(lin->weight().data(), o.out_features, o.in_features,
                                                       k.flatten_source);
                k.bias.assign(o.out_features, 0.0);
                if (o.bias) std::copy(lin->bias().begin(), lin->bias().end(), k.bias.begin());
                spatial.reset();
                flattened.reset();
                s.what = op::kernel;
                s.kernel = kernels_.size();
                kernels_.push_back(std::move(k));
            } else if (n.layer->get_if<relu>()) {
                s.what = op::relu;
            } else if (n.layer->get_if<dropout>()) {
                s.what = op::reshape;
            } else if (n.layer->get_if<flatten>()) {
                if (spatial) flattened = spatial;
                spatial.reset();
                s.what = op::reshape;
            } else if (const auto* pool = n.layer->get_if<max_pool2d>()) {
                if (!spatial) throw shape_error(where + " reads a flat tensor; expected (C, H, W)");
                s.what = op::max_pool;
                s.window = pool->window();
                spatial = hwc_t{n.shape[1], n.shape[2], n.shape[0]};
                flattened.reset();
            } else {
                throw unsupported_error(where + " is not supported; the pattern analysis handles conv2d, linear, "
                                                "relu, max_pool2d, flatten and dropout");
            }
            s.out_hwc = spatial;
            size = element_count(n.shape);
            s.out_size = size;
            steps_.push_back(std::move(s));
        }
        if (kernels_.empty()) throw unsupported_error("pattern analysis: the model has no conv2d or linear layer");
        output_shape_ = g[g.output()].shape;
        output_hwc_ = spatial;
    }

    std::span<const kernel_layer> kernel_layers() const noexcept { return kernels_; }
    std::span<const step> steps() const noexcept { return steps_; }
    // One sample in PyTorch layout: (C, H, W) or (features,).
    const shape_t& input_shape() const noexcept { return input_chw_; }
    std::size_t input_size() const noexcept { return element_count(input_chw_); }
    const shape_t& output_shape() const noexcept { return output_shape_; }
    std::size_t output_size() const noexcept { return element_count(output_shape_); }

    // Runs one sample given in PyTorch layout (C, H, W) through the network in double. For each kernel layer
    // k, calls hook(k, x, y, rows) with its input rows x (rows x inputs) and y = x W (rows x outputs, no
    // bias). Where trace is given, fills it for a backward pass. Returns the output in PyTorch layout.
    template <class T, class Hook>
    std::vector<double> forward(std::span<const T> sample, Hook&& hook, pattern_trace* trace = nullptr) const {
        if (sample.size() != input_size())
            throw shape_error("pattern analysis: a sample of " + std::to_string(sample.size()) +
                              " values does not fit the input " + to_string(input_chw_));
        for (std::size_t i = 0; i < sample.size(); ++i)
            if (!std::isfinite(static_cast<double>(sample[i])))
                throw value_error("pattern analysis: the sample holds " +
                                  std::string(std::isnan(static_cast<double>(sample[i])) ? "NaN" : "Inf") +
                                  " at element " + std::to_string(i) + " of " + to_string(input_chw_) +
                                  "; expected finite values");
        std::vector<double> cur = to_channels_last(sample, steps_.empty() ? std::nullopt : steps_[0].in_hwc);
        std::vector<double> next, rows;
        if (trace) {
            trace->inputs.assign(steps_.size(), {});
            trace->argmax.assign(steps_.size(), {});
        }
        for (std::size_t i = 0; i < steps_.size(); ++i) {
            const step& s = steps_[i];
            if (trace) trace->inputs[i] = cur;
            switch (s.what) {
                case op::kernel: {
                    const kernel_layer& k = kernels_[s.kernel];
                    const double* x = cur.data();
                    std::size_t n_rows = 1;
                    if (k.kind == conv2d::kind) {
                        n_rows = k.rows_per_sample;
                        rows.resize(n_rows * k.inputs());
                        extract_patches(cur.data(), k.input_hwc, k.window, k.output_hwc[0], k.output_hwc[1], rows.data());
                        x = rows.data();
                    }
                    next.resize(n_rows * k.outputs());
                    detail::patterns::multiply(x, n_rows, k.inputs(), k.weight.data(), k.outputs(), next.data());
                    hook(s.kernel, x, static_cast<const double*>(next.data()), n_rows);
                    for (std::size_t r = 0; r < n_rows; ++r)
                        for (std::size_t o = 0; o < k.outputs(); ++o) next[r * k.outputs() + o] += k.bias[o];
                    cur.swap(next);
                    break;
                }
                case op::relu:
                    for (double& v : cur) v = v > 0.0 ? v : 0.0;
                    break;
                case op::max_pool: {
                    next.assign(s.out_size, 0.0);
                    std::vector<std::size_t> winners(s.out_size);
                    max_pool(cur.data(), *s.in_hwc, s.window, *s.out_hwc, next.data(), winners.data());
                    if (trace) trace->argmax[i] = std::move(winners);
                    cur.swap(next);
                    break;
                }
                case op::reshape: break;
            }
        }
        if (trace) trace->output = cur;
        return to_torch_layout(cur, output_hwc_);
    }

    // The flat index in the channels-last output of PyTorch's flat output index i.
    std::size_t output_index_channels_last(std::size_t i) const {
        if (!output_hwc_) return i;
        const auto [h, w, c] = *output_hwc_;
        return ((i / w) % h * w + i % w) * c + i / (h * w);
    }

    // (H, W, C) <-> PyTorch (C, H, W) for one sample; flat tensors are unchanged.
    template <class T>
    static std::vector<double> to_channels_last(std::span<const T> chw, const std::optional<hwc_t>& hwc) {
        std::vector<double> out(chw.size());
        if (!hwc) {
            std::copy(chw.begin(), chw.end(), out.begin());
            return out;
        }
        const auto [h, w, c] = *hwc;
        for (std::size_t ch = 0; ch < c; ++ch)
            for (std::size_t p = 0; p < h * w; ++p) out[p * c + ch] = static_cast<double>(chw[ch * h * w + p]);
        return out;
    }
    static std::vector<double> to_torch_layout(std::span<const double> hwc_values, const std::optional<hwc_t>& hwc) {
        std::vector<double> out(hwc_values.begin(), hwc_values.end());
        if (!hwc) return out;
        const auto [h, w, c] = *hwc;
        for (std::size_t ch = 0; ch < c; ++ch)
            for (std::size_t p = 0; p < h * w; ++p) out[ch * h * w + p] = hwc_values[p * c + ch];
        return out;
    }

private:
    // Max pooling over channels-last data; padding never wins, the first maximum in window order does
    // (as PyTorch). winners: the flat input index chosen for every output.
    static void max_pool(const double* x, const hwc_t& in, const window2d& win, const hwc_t& out, double* y,
                         std::size_t* winners) {
        const auto [h, w, c] = in;
        for (std::size_t oh = 0; oh < out[0]; ++oh)
            for (std::size_t ow = 0; ow < out[1]; ++ow)
                for (std::size_t ch = 0; ch < c; ++ch) {
                    double best = -std::numeric_limits<double>::infinity();
                    std::size_t arg = std::numeric_limits<std::size_t>::max();
                    for (std::size_t r = 0; r < win.kernel[0]; ++r) {
                        const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(oh * win.stride[0] + r * win.dilation[0]) -
                                                  static_cast<std::ptrdiff_t>(win.pad_begin[0]);
                        if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(h)) continue;
                        for (std::size_t q = 0; q < win.kernel[1]; ++q) {
                            const std::ptrdiff_t iw = static_cast<std::ptrdiff_t>(ow * win.stride[1] + q * win.dilation[1]) -
                                                      static_cast<std::ptrdiff_t>(win.pad_begin[1]);
                            if (iw < 0 || iw >= static_cast<std::ptrdiff_t>(w)) continue;
                            const std::size_t idx = (static_cast<std::size_t>(ih) * w + static_cast<std::size_t>(iw)) * c + ch;
                            if (arg == std::numeric_limits<std::size_t>::max() || x[idx] > best) best = x[idx], arg = idx;
                        }
                    }
                    const std::size_t o = (oh * out[1] + ow) * c + ch;
                    y[o] = best;
                    winners[o] = arg;
                }
    }

    shape_t input_chw_, output_shape_;
    std::optional<hwc_t> output_hwc_;
    std::vector<kernel_layer> kernels_;
    std::vector<step> steps_;
};

}  // namespace xddp
