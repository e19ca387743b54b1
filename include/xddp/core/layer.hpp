#pragma once
// The layer concept. A layer knows its kind, the output shape for given input shapes (validating
// them), its parameters (for weight loading) and its forward pass over a batch.

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xddp/core/cost.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/core/tensor_ref.hpp"

namespace xddp {

enum class layer_kind {
    conv2d,
    linear,
    max_pool2d,
    avg_pool2d,
    adaptive_avg_pool2d,
    add,
    relu,
    elu,
    hardtanh,
    leaky_relu,
    batch_norm,
    flatten,
    dropout,
    custom,
};

inline constexpr std::string_view to_string(layer_kind k) {
    switch (k) {
        case layer_kind::conv2d: return "conv2d";
        case layer_kind::linear: return "linear";
        case layer_kind::max_pool2d: return "max_pool2d";
        case layer_kind::avg_pool2d: return "avg_pool2d";
        case layer_kind::adaptive_avg_pool2d: return "adaptive_avg_pool2d";
        case layer_kind::add: return "add";
        case layer_kind::relu: return "relu";
        case layer_kind::elu: return "elu";
        case layer_kind::hardtanh: return "hardtanh";
        case layer_kind::leaky_relu: return "leaky_relu";
        case layer_kind::batch_norm: return "batch_norm";
        case layer_kind::flatten: return "flatten";
        case layer_kind::dropout: return "dropout";
        case layer_kind::custom: return "custom";
    }
    return "unknown";
}

// Kinds that start a DDP layer (specs/ddp.md section 1); the others are absorbed into the layer before them.
inline constexpr bool starts_profile_layer(layer_kind k) {
    return k == layer_kind::conv2d || k == layer_kind::linear || k == layer_kind::max_pool2d ||
           k == layer_kind::avg_pool2d || k == layer_kind::adaptive_avg_pool2d || k == layer_kind::add;
}

// A named parameter tensor a layer owns, for loading weights by PyTorch state_dict key suffix.
struct parameter {
    std::string name;  // "weight", "bias", "running_mean", ...
    shape_t shape;     // the shape it must have
    float* data;       // where its element_count(shape) floats go
};

using activation = xt::xarray<float>;

template <class L>
concept unary_layer = requires(const L& l, const tensor_ref& x, activation& y) {
    { l.forward(x, y) };
};

template <class L>
concept binary_layer = requires(const L& l, const tensor_ref& a, const tensor_ref& b, activation& y) {
    { l.forward(a, b, y) };
};

// Every layer: its kind, an output shape (batch included) for its input shapes, which throws
// shape_error on a mismatch, and a forward pass writing into a caller-owned activation.
template <class L>
concept layer = requires(const L& l, L& m, std::span<const shape_t> inputs) {
    { L::kind } -> std::convertible_to<layer_kind>;
    { l.output_shape(inputs) } -> std::convertible_to<shape_t>;
    { m.parameters() } -> std::convertible_to<std::vector<parameter>>;
} && (unary_layer<L> || binary_layer<L>);

// Number of inputs a layer takes.
template <layer L>
inline constexpr std::size_t arity_v = binary_layer<L> ? 2 : 1;

}  // namespace xddp
