#pragma once
// PatternAttribution (Kindermans et al. 2018, iNNvestigate 1.0.8): the backward pass of the gradient with
// every kernel W replaced by W (x) A, element-wise, through the forward pass's ReLU masks; max pools route
// to their forward winners. The result is a map over the input, in the input's PyTorch layout.
//
// The backward pass starts at the chosen output neuron with its value y_k (iNNvestigate's head mapping for
// PatternNet and PatternAttribution) or with 1 (the gradient's convention), as asked.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "xddp/core/error.hpp"
#include "xddp/kernels/host/blas.hpp"
#include "xddp/patterns/estimate.hpp"
#include "xddp/patterns/network.hpp"

namespace xddp {

enum class attribution_seed { output_value, one };

struct attribution_options {
    std::size_t neuron = 0;  // flat index into the model output, PyTorch layout
    attribution_seed seed = attribution_seed::output_value;
};

// W (x) A for every kernel layer: the filters PatternAttribution propagates with.
inline std::vector<xt::xtensor<double, 2>> attribution_filters(const pattern_network& net,
                                                               std::span<const layer_pattern> patterns) {
    const auto layers = net.kernel_layers();
    if (patterns.size() != layers.size())
        throw shape_error("pattern attribution: " + std::to_string(patterns.size()) + " patterns for " +
                          std::to_string(layers.size()) + " kernel layers");
    std::vector<xt::xtensor<double, 2>> filters;
    for (std::size_t k = 0; k < layers.size(); ++k) {
        if (patterns[k].pattern.shape() != layers[k].weight.shape())
            throw shape_error("pattern attribution: layer '" + layers[k].name + "': pattern of shape " +
                              to_string(shape_t(patterns[k].pattern.shape().begin(), patterns[k].pattern.shape().end())) +
                              ", expected " + to_string(shape_t(layers[k].weight.shape().begin(), layers[k].weight.shape().end())));
        filters.push_back(layers[k].weight * patterns[k].pattern);
    }
    return filters;
}

// The backward pass of net with the given filters (one (inputs x outputs) matrix per kernel layer, W (x) A
// for PatternAttribution, W itself for the plain gradient) for one sample in PyTorch layout.
template <class T>
xt::xarray<double> backward_with_filters(const pattern_network& net, std::span<const xt::xtensor<double, 2>> filters,
                                         std::span<const T> sample, const attribution_options& options = {}) {
    const auto layers = net.kernel_layers();
    if (filters.size() != layers.size())
        throw shape_error("pattern attribution: " + std::to_string(filters.size()) + " filters for " +
                          std::to_string(layers.size()) + " kernel layers");
    for (std::size_t k = 0; k < layers.size(); ++k)
        if (filters[k].shape() != layers[k].weight.shape())
            throw shape_error("pattern attribution: layer '" + layers[k].name + "': filter of shape " +
                              to_string(shape_t(filters[k].shape().begin(), filters[k].shape().end())) + ", expected " +
                              to_string(shape_t(layers[k].weight.shape().begin(), layers[k].weight.shape().end())));
    if (options.neuron >= net.output_size())
        throw value_error("pattern attribution: output neuron " + std::to_string(options.neuron) +
                          " does not exist; the model output " + to_string(net.output_shape()) + " has " +
                          std::to_string(net.output_size()) + " values");
    pattern_trace trace;
    net.forward(sample, [](std::size_t, const double*, const double*, std::size_t) {}, &trace);
    const std::size_t k_out = net.output_index_channels_last(options.neuron);
    std::vector<double> grad(trace.output.size(), 0.0), prev, rows;
    grad[k_out] = options.seed == attribution_seed::output_value ? trace.output[k_out] : 1.0;
    const auto steps = net.steps();
    for (std::size_t i = steps.size(); i-- > 0;) {
        const auto& s = steps[i];
        const std::vector<double>& input = trace.inputs[i];
        switch (s.what) {
            case pattern_network::op::kernel: {
                const kernel_layer& k = layers[s.kernel];
                const xt::xtensor<double, 2>& f = filters[s.kernel];
                if (k.kind == conv2d::kind) {
                    const std::size_t n_rows = k.rows_per_sample;
                    rows.resize(n_rows * k.inputs());
                    kernels::host::gemm(false, true, n_rows, k.inputs(), k.outputs(), grad.data(), k.outputs(), f.data(),
                                        k.outputs(), rows.data(), k.inputs());
                    prev.assign(input.size(), 0.0);
                    accumulate_patches(rows.data(), k.input_hwc, k.window, k.output_hwc[0], k.output_hwc[1], prev.data());
                } else {
                    prev.resize(k.inputs());
                    kernels::host::gemm(false, true, 1, k.inputs(), k.outputs(), grad.data(), k.outputs(), f.data(),
                                        k.outputs(), prev.data(), k.inputs());
                }
                grad.swap(prev);
                break;
            }
            case pattern_network::op::relu:
                for (std::size_t j = 0; j < grad.size(); ++j)
                    if (!(input[j] > 0.0)) grad[j] = 0.0;
                break;
            case pattern_network::op::max_pool: {
                prev.assign(input.size(), 0.0);
                const auto& winners = trace.argmax[i];
                for (std::size_t j = 0; j < grad.size(); ++j) prev[winners[j]] += grad[j];
                grad.swap(prev);
                break;
            }
            case pattern_network::op::reshape: break;
        }
    }
    const auto in_hwc = steps.empty() ? std::nullopt : steps[0].in_hwc;
    const std::vector<double> chw = pattern_network::to_torch_layout(grad, in_hwc);
    xt::xarray<double> map = xt::xarray<double>::from_shape(net.input_shape());
    std::copy(chw.begin(), chw.end(), map.begin());
    return map;
}

// PatternAttribution of one sample (PyTorch layout, e.g. (C, H, W)) for options.neuron.
template <class T>
xt::xarray<double> pattern_attribution(const pattern_network& net, std::span<const layer_pattern> patterns,
                                       std::span<const T> sample, const attribution_options& options = {}) {
    const auto filters = attribution_filters(net, patterns);
    return backward_with_filters<T>(net, filters, sample, options);
}

}  // namespace xddp
