#pragma once
// The forward pass of a graph under a kernel policy (xddp::cuda, xddp::cuda_emulated), written once for
// both: device_model<P> uploads the weights once (batch norm folded into a per-channel scale and shift),
// then runs each node as kernel launches of kernels/device/ bodies on activations kept in the policy's
// memory. conv2d is im2col + one GEMM per image and group (cuBLAS under xddp::cuda) + a bias add; every
// other layer is one launch with one thread per output element. Each layer type's kernels are its
// device_layer<L> specialization (device/layer_kernel.hpp, xddp's own in device/layers/).
//
//   xddp::device_model<xddp::cuda> m(g);                 // g must outlive m
//   auto acts = m.forward(x, xddp::keep::all);           // device_activations<cuda>
//   xddp::activations host_acts = xddp::to_host(acts);
//
// or, with the results back on the host, the policy being the only thing that changes at the call site:
//   xddp::activations a = xddp::forward<xddp::cuda>(g, x, xddp::keep::all);   // xddp::host: g.forward
//
// A layer type without a device_layer specialization is an unsupported_error naming the node.

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xddp/core/error.hpp"
#include "xddp/device/layer_kernel.hpp"
#include "xddp/device/layers.hpp"
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
    const device_tensor<P>& operator[](node_id id) const { return checked_at(values, id, "device activations: node"); }
    const device_tensor<P>& output() const { return checked_at(values, output_node, "device activations: output node"); }
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

template <class P>
class device_model {
    static_assert((require_kernel_policy<P>(), true), "see the static_assert above");

public:
    // Uploads the weights of g's layers; g must outlive the model (it is read at every forward pass).
    explicit device_model(graph&&) = delete;  // it keeps a reference to the graph: a temporary would dangle
    explicit device_model(const graph& g) : g_(g), ops_(g.size()), params_(g.size()) {
        for (node_id id = 1; id < g.size(); ++id) {
            const any_layer& l = *g[id].layer;
            ops_[id] = device_layers<P>::find(l);
            if (!ops_[id])
                throw unsupported_error("device_model<" + std::string(P::name) + ">: node '" + g[id].name + "' is a " +
                                        std::string(l.kind()) + " layer of a type without device kernels under this policy; "
                                        "give it a device_layer specialization (device/layer_kernel.hpp) or use xddp::host");
            if (ops_[id]->upload) params_[id] = ops_[id]->upload(l);
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
            ops_[id]->forward(*n.layer, device_forward_call<P>{inputs, y, params_[id]});
            if (what == keep::output)
                for (node_id i : n.inputs)
                    if (--pending[i] == 0 && i != acts.output_node) acts.values[i] = device_tensor<P>{};
        }
        P::synchronize();
        return acts;
    }

private:
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

    const graph& g_;
    std::vector<const device_layer_ops<P>*> ops_;
    std::vector<std::vector<device_buffer<P>>> params_;
};

// The forward pass of g on x (host memory) under tensor policy P, results on the host: xddp::host runs
// g.forward; a kernel policy runs device_model<P> and downloads the activations it keeps.
template <class P = host>
activations forward(const graph& g, const tensor_ref& x, keep what = keep::output) {
    return by_policy<P>([&] { return g.forward(x, what); }, [&]<class Q>() { return to_host(device_model<Q>(g).forward(x, what)); });
}

}  // namespace xddp
