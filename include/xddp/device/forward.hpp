#pragma once
// The forward pass of a graph under a kernel policy (xddp::cuda, xddp::cuda_emulated), written once for
// both: device_model<P> uploads the weights once (batch norm folded into a per-channel scale and shift),
// then runs each node as kernel launches of kernels/device/ bodies on activations kept in the policy's
// memory. conv2d is im2col + one GEMM per image and group (cuBLAS under xddp::cuda) + a bias add; every
// other layer is one launch with one thread per output element.
//
//   xddp::device_model<xddp::cuda> m(g);                 // g must outlive m
//   auto acts = m.forward(x, xddp::keep::all);           // device_activations<cuda>
//   xddp::activations host_acts = xddp::to_host(acts);
//
// or, with the results back on the host, the policy being the only thing that changes at the call site:
//   xddp::activations a = xddp::forward<xddp::cuda>(g, x, xddp::keep::all);   // xddp::host: g.forward
//
// Only xddp's own layer classes have device kernels; a user-defined layer is an unsupported_error.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xddp/core/error.hpp"
#include "xddp/kernels/device/conv2d.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/kernels/device/linear.hpp"
#include "xddp/kernels/device/pool.hpp"
#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/add.hpp"
#include "xddp/layers/avg_pool2d.hpp"
#include "xddp/layers/batch_norm.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/dropout.hpp"
#include "xddp/layers/elu.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/hardtanh.hpp"
#include "xddp/layers/leaky_relu.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/tensor/cuda.hpp"
#include "xddp/tensor/cuda_emulated.hpp"
#include "xddp/tensor/device_tensor.hpp"
#include "xddp/tensor/host.hpp"
#include "xddp/tensor/kernel_policy.hpp"

namespace xddp {

// The activations of a forward pass in the policy's memory, indexed by node; nodes not kept are empty.
template <class P>
struct device_activations {
    std::vector<device_tensor<P>> values;
    node_id output_node = 0;
    const device_tensor<P>& operator[](node_id id) const { return values.at(id); }
    const device_tensor<P>& output() const { return values.at(output_node); }
};

// A tensor from the policy's memory into a host array (a copy).
template <class P>
xt::xarray<float> to_host(const device_tensor<P>& t) {
    if (t.empty()) return {};
    xt::xarray<float> out = xt::xarray<float>::from_shape(t.shape);
    P::download(t.data.data(), t.size(), out.data());
    return out;
}

// Host data into a new tensor in the policy's memory.
template <class P>
device_tensor<P> to_device(const tensor_ref& x) {
    device_tensor<P> t{P::template allocate<float>(x.size()), x.shape()};
    P::upload(x.data(), x.size(), t.data.data());
    return t;
}

template <class P>
activations to_host(const device_activations<P>& acts) {
    activations out;
    out.output_node = acts.output_node;
    out.values.reserve(acts.values.size());
    for (const auto& t : acts.values) out.values.push_back(to_host(t));
    return out;
}

namespace detail::device {

inline kernels::device::window device_window(const window2d& w) {
    return {w.kernel[0], w.kernel[1], w.stride[0], w.stride[1], w.pad_begin[0], w.pad_begin[1], w.dilation[0], w.dilation[1]};
}

}  // namespace detail::device

template <class P>
class device_model {
    static_assert((require_kernel_policy<P>(), true), "see the static_assert above");

public:
    // Uploads the weights of g's layers; g must outlive the model (it is read at every forward pass).
    explicit device_model(const graph& g) : g_(g), params_(g.size()) {
        for (node_id id = 1; id < g.size(); ++id) {
            const any_layer& l = *g[id].layer;
            auto& p = params_[id];
            if (const auto* c = l.get_if<conv2d>()) {
                p.push_back(upload(c->weight().data(), c->weight().size()));
                if (c->options().bias) p.push_back(upload(c->bias().data(), c->bias().size()));
            } else if (const auto* f = l.get_if<linear>()) {
                p.push_back(upload(f->weight().data(), f->weight().size()));
                if (f->options().bias) p.push_back(upload(f->bias().data(), f->bias().size()));
            } else if (const auto* b = l.get_if<batch_norm>()) {
                // The same float expressions as batch_norm::forward.
                std::vector<float> scale(b->channels()), shift(b->channels());
                for (std::size_t c = 0; c < b->channels(); ++c) {
                    scale[c] = b->weight()(c) / std::sqrt(b->running_var()(c) + b->eps());
                    shift[c] = b->bias()(c) - b->running_mean()(c) * scale[c];
                }
                p.push_back(upload(scale.data(), scale.size()));
                p.push_back(upload(shift.data(), shift.size()));
            } else if (!has_kernel(l)) {
                throw unsupported_error("device_model<" + std::string(P::name) + ">: node '" + g[id].name + "' is a " +
                                        std::string(l.kind()) +
                                        " layer of a type without device kernels; the device policies run xddp's own "
                                        "layer classes (conv2d, linear, pools, add, batch_norm, relu, elu, hardtanh, "
                                        "leaky_relu, flatten, dropout); use xddp::host for user-defined layers");
            }
        }
    }

    const graph& model() const noexcept { return g_; }

    // Runs the graph on x (host memory), (N, ...) or one sample without the batch dimension, as
    // graph::forward; the activations stay in the policy's memory.
    device_activations<P> forward(const tensor_ref& x, keep what = keep::output) const {
        const tensor_ref batch = checked_batch(x);
        return forward(to_device<P>(batch), what);
    }

    // Runs the graph on an input already in the policy's memory, shape (N, ...) with a batch dimension.
    device_activations<P> forward(device_tensor<P> input, keep what = keep::output) const {
        const shape_t& want = g_.input_shape();
        if (input.shape.size() != want.size() + 1 || input.shape[0] == 0 ||
            !std::equal(want.begin(), want.end(), input.shape.begin() + 1))
            throw shape_error("input '" + g_[0].name + "': device tensor of shape " + to_string(input.shape) +
                              " does not fit, expected (N, " + to_string(want).substr(1));
        device_activations<P> acts;
        acts.values.resize(g_.size());
        acts.output_node = g_.output();
        acts.values[0] = std::move(input);
        std::vector<std::size_t> pending(g_.size());
        for (node_id id = 0; id < g_.size(); ++id) pending[id] = g_[id].successors.size();
        std::vector<shape_t> shapes;
        std::vector<const device_tensor<P>*> inputs;
        for (node_id id = 1; id < g_.size(); ++id) {
            const node& n = g_[id];
            shapes.clear();
            inputs.clear();
            for (node_id i : n.inputs) {
                shapes.push_back(acts.values[i].shape);
                inputs.push_back(&acts.values[i]);
            }
            device_tensor<P>& y = acts.values[id];
            try {
                y.shape = n.layer->output_shape(shapes);
            } catch (const shape_error& e) {
                throw shape_error("layer '" + n.name + "': " + e.what());
            }
            y.data = P::template allocate<float>(element_count(y.shape));
            run(id, *n.layer, inputs, y);
            if (what == keep::output)
                for (node_id i : n.inputs)
                    if (--pending[i] == 0 && i != acts.output_node) acts.values[i] = device_tensor<P>{};
        }
        P::synchronize();
        return acts;
    }

private:
    using buffer = typename detail::buffer_of<P, float>::type;

    static buffer upload(const float* data, std::size_t n) {
        buffer b = P::template allocate<float>(n);
        P::upload(data, n, b.data());
        return b;
    }

    static bool has_kernel(const any_layer& l) {
        return l.get_if<max_pool2d>() || l.get_if<avg_pool2d>() || l.get_if<adaptive_avg_pool2d>() || l.get_if<add>() ||
               l.get_if<relu>() || l.get_if<elu>() || l.get_if<leaky_relu>() || l.get_if<hardtanh>() ||
               l.get_if<flatten>() || l.get_if<dropout>();
    }

    tensor_ref checked_batch(const tensor_ref& x) const {
        const shape_t& want = g_.input_shape();
        const shape_t& got = x.shape();
        shape_t batched{1};
        batched.insert(batched.end(), want.begin(), want.end());
        const bool single = got == want;
        if (!single && !(got.size() == want.size() + 1 && std::equal(want.begin(), want.end(), got.begin() + 1) && got[0] > 0))
            throw shape_error("input '" + g_[0].name + "': shape " + to_string(got) + " does not fit, expected (N, " +
                              to_string(want).substr(1));
        const float* p = x.data();
        for (std::size_t i = 0, n = x.size(); i < n; ++i)
            if (!std::isfinite(p[i]))
                throw value_error("input '" + g_[0].name + "': element " + std::to_string(i) + " is " +
                                  (std::isnan(p[i]) ? "NaN" : "Inf") + "; expected finite values");
        return single ? x.reshaped(batched) : x;
    }

    void run(node_id id, const any_layer& l, const std::vector<const device_tensor<P>*>& in, device_tensor<P>& y) const {
        namespace k = kernels::device;
        const auto& p = params_[id];
        const float* x = in[0]->data.data();
        float* out = y.data.data();
        const std::size_t count = y.size();
        if (const auto* c = l.get_if<conv2d>()) {
            run_conv(*c, *in[0], y, p);
        } else if (const auto* f = l.get_if<linear>()) {
            const auto& o = f->options();
            P::launch(count, k::linear_body{x, p[0].data(), o.bias ? p[1].data() : nullptr, out, o.out_features, o.in_features});
        } else if (const auto* m = l.get_if<max_pool2d>()) {
            const shape_t& s = in[0]->shape;
            P::launch(count, k::max_pool2d_body{x, out, s[2], s[3], y.shape[2], y.shape[3], detail::device::device_window(m->window())});
        } else if (const auto* a = l.get_if<avg_pool2d>()) {
            const shape_t& s = in[0]->shape;
            const window2d& w = a->window();
            P::launch(count, k::avg_pool2d_body{x, out, s[2], s[3], y.shape[2], y.shape[3], w.kernel[0], w.kernel[1], w.stride[0],
                                                w.stride[1], w.pad_begin[0], w.pad_begin[1], w.pad_end[0], w.pad_end[1],
                                                a->options().count_include_pad});
        } else if (l.get_if<adaptive_avg_pool2d>()) {
            const shape_t& s = in[0]->shape;
            P::launch(count, k::adaptive_avg_pool2d_body{x, out, s[2], s[3], y.shape[2], y.shape[3]});
        } else if (const auto* b = l.get_if<batch_norm>()) {
            const std::size_t positions = element_count(std::span(in[0]->shape).subspan(2));
            P::launch(count, k::channel_affine_body{x, out, p[0].data(), p[1].data(), b->channels(), positions});
        } else if (l.get_if<add>()) {
            P::launch(count, k::add_body{x, in[1]->data.data(), out});
        } else if (l.get_if<relu>()) {
            P::launch(count, k::relu_body{x, out});
        } else if (const auto* e = l.get_if<elu>()) {
            P::launch(count, k::elu_body{x, out, e->alpha});
        } else if (const auto* r = l.get_if<leaky_relu>()) {
            P::launch(count, k::leaky_relu_body{x, out, r->negative_slope});
        } else if (const auto* h = l.get_if<hardtanh>()) {
            P::launch(count, k::hardtanh_body{x, out, h->min_value, h->max_value});
        } else {  // flatten, dropout: a copy (has_kernel was checked at construction)
            P::launch(count, k::copy_body{x, out});
        }
    }

    void run_conv(const conv2d& c, const device_tensor<P>& in, device_tensor<P>& y, const std::vector<buffer>& p) const {
        const conv2d_options& o = c.options();
        const window2d& win = c.window();
        const std::size_t n = in.shape[0], ch = in.shape[1], h = in.shape[2], w = in.shape[3];
        const std::size_t ho = y.shape[2], wo = y.shape[3], hw_out = ho * wo;
        const std::size_t groups = o.groups, cg = ch / groups, og = o.out_channels / groups;
        const std::size_t kk = cg * win.kernel[0] * win.kernel[1];
        const bool pointwise = win.kernel == pair_t{1, 1} && win.stride == pair_t{1, 1} && win.pad_begin == pair_t{0, 0} &&
                               win.pad_end == pair_t{0, 0};
        buffer cols = P::template allocate<float>(pointwise ? 0 : kk * hw_out);
        const kernels::device::window dw = detail::device::device_window(win);
        for (std::size_t b = 0; b < n; ++b)
            for (std::size_t g = 0; g < groups; ++g) {
                const float* src = in.data.data() + (b * ch + g * cg) * h * w;
                if (!pointwise) {
                    const kernels::device::im2col_body body{src, cols.data(), cg, h, w, ho, wo, dw};
                    P::launch(body.threads(), body);
                }
                P::gemm(og, hw_out, kk, p[0].data() + g * og * kk, kk, pointwise ? src : cols.data(), hw_out,
                        y.data.data() + (b * o.out_channels + g * og) * hw_out, hw_out);
            }
        if (o.bias) P::launch(y.size(), kernels::device::bias_add_body{y.data.data(), p[1].data(), o.out_channels, hw_out});
        // cols is freed here: the launches above are ordered on the policy's stream before any later use, and
        // cudaFree waits for the device to finish with it.
    }

    const graph& g_;
    std::vector<std::vector<buffer>> params_;
};

// The forward pass of g on x (host memory) under tensor policy P, results on the host: xddp::host runs
// g.forward; a kernel policy runs device_model<P> and downloads the activations it keeps.
template <class P = host>
activations forward(const graph& g, const tensor_ref& x, keep what = keep::output) {
    if constexpr (std::same_as<P, host>) {
        return g.forward(x, what);
    } else {
        require_kernel_policy<P>();
        if constexpr (kernel_policy<P>) {
            const device_model<P> m(g);
            return to_host(m.forward(x, what));
        } else {
            return {};
        }
    }
}

}  // namespace xddp
