#pragma once
// How a layer type runs under a kernel policy (xddp::cuda, xddp::cuda_emulated): one specialization of
// device_layer<L> next to the layer's kernels, found at run time through a table per policy, so the device
// drivers (device/forward.hpp, device/profile.hpp) keep no list of layer types. xddp's own layers have
// theirs in device/layers/; a user layer gets device kernels the same way:
//
//   template <> struct xddp::device_layer<my_layer> {
//       // optional: the layer's parameters in the policy's memory, computed once per device_model
//       template <class P> static std::vector<xddp::device_buffer<P>> upload(const my_layer&);
//       // required: the forward pass; call.parameters holds what upload returned
//       template <class P> static void forward(const my_layer&, const xddp::device_forward_call<P>& call);
//       // optional, for a layer that starts a profile layer: the device contribution rule
//       template <xddp::neuron_policy N, class P>
//       static void contributions(const my_layer&, const xddp::device_rule_call<P>& call);
//   };
//   XDDP_DEVICE_LAYER(my_layer)   // at namespace scope, where my_layer names the type: registers it
//
// A layer without a registered device_layer is an unsupported_error naming it in device_model<P>.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "xddp/core/contribution_rule.hpp"
#include "xddp/core/neuron_policy.hpp"
#include "xddp/model/any_layer.hpp"
#include "xddp/tensor/cuda.hpp"
#include "xddp/tensor/cuda_emulated.hpp"
#include "xddp/tensor/device_tensor.hpp"

namespace xddp {

template <class L>
struct device_layer;  // no device kernels unless specialized

template <class P>
using device_buffer = typename detail::buffer_of<P, float>::type;

// n floats from host memory into a new buffer in P's memory.
template <class P>
device_buffer<P> to_device_buffer(const float* data, std::size_t n) {
    device_buffer<P> b = P::template allocate<float>(n);
    if (n > 0) P::upload(data, n, b.data());
    return b;
}

// One node's forward pass: its inputs (batch first) in node order, its output (allocated, shape set) and
// the parameters device_layer<L>::upload gave.
template <class P>
struct device_forward_call {
    std::span<const device_tensor<P>* const> inputs;
    device_tensor<P>& output;
    std::span<const device_buffer<P>> parameters;

    const float* x(std::size_t i = 0) const { return inputs[i]->data.data(); }
    const shape_t& x_shape(std::size_t i = 0) const { return inputs[i]->shape; }
    float* y() const { return output.data.data(); }
    std::size_t count() const { return output.size(); }
};

// Step 2 of one profile layer for one sample: the predecessors' tails (per sample, without the batch
// dimension) and shapes, the layer's head and shape, its influential neurons (ascending flat indices, and
// the same uploaded as 32-bit indices), the threshold and one synapse list per predecessor.
template <class P>
struct device_rule_call {
    std::span<const float* const> inputs;
    std::span<const shape_t> input_shapes;
    const shape_t& shape;
    const float* head;
    std::span<const std::size_t> neurons;
    const std::uint32_t* neuron_ids;
    float threshold;
    std::span<synapse_list> synapses;
};

// The device operations of one layer type under policy P, type-erased.
template <class P>
struct device_layer_ops {
    std::function<std::vector<device_buffer<P>>(const any_layer&)> upload;
    std::function<void(const any_layer&, const device_forward_call<P>&)> forward;
    std::function<void(const any_layer&, const device_rule_call<P>&)> channel_rule, element_rule;
};

// The table of layer types with device kernels under P, filled when the program starts.
template <class P>
class device_layers {
public:
    static const device_layer_ops<P>* find(const any_layer& l) {
        const auto& t = table();
        const auto it = t.find(l.type());
        return it == t.end() ? nullptr : &it->second;
    }

    template <class L>
    static bool add() {
        using D = device_layer<L>;
        device_layer_ops<P> ops;
        ops.forward = [](const any_layer& l, const device_forward_call<P>& c) { D::template forward<P>(*l.get_if<L>(), c); };
        if constexpr (requires(const L& l) { D::template upload<P>(l); })
            ops.upload = [](const any_layer& l) { return D::template upload<P>(*l.get_if<L>()); };
        if constexpr (requires(const L& l, const device_rule_call<P>& c) { D::template contributions<channel_neurons, P>(l, c); }) {
            ops.channel_rule = [](const any_layer& l, const device_rule_call<P>& c) {
                D::template contributions<channel_neurons, P>(*l.get_if<L>(), c);
            };
            ops.element_rule = [](const any_layer& l, const device_rule_call<P>& c) {
                D::template contributions<element_neurons, P>(*l.get_if<L>(), c);
            };
        }
        table()[std::type_index(typeid(L))] = std::move(ops);
        return true;
    }

private:
    static std::unordered_map<std::type_index, device_layer_ops<P>>& table() {
        static std::unordered_map<std::type_index, device_layer_ops<P>> t;
        return t;
    }
};

}  // namespace xddp

// Registers device_layer<L> under every kernel policy this translation unit can run: xddp::cuda_emulated
// always, xddp::cuda where nvcc compiles it. Write it once, at namespace scope, after the specialization.
#if defined(__CUDACC__)
#define XDDP_DEVICE_LAYER_CUDA(L) \
    inline const bool xddp_device_layer_cuda_##L = ::xddp::device_layers<::xddp::cuda>::add<L>();
#else
#define XDDP_DEVICE_LAYER_CUDA(L)
#endif
#define XDDP_DEVICE_LAYER(L)                                                                                     \
    inline const bool xddp_device_layer_emulated_##L = ::xddp::device_layers<::xddp::cuda_emulated>::add<L>(); \
    XDDP_DEVICE_LAYER_CUDA(L)
