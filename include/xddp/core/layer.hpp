#pragma once
// The layer concept: the unit of extension. A layer type states everything xddp does with it, on itself
// (static members and member functions the concept detects) or in one specialization next to it:
//
//   kind        static constexpr std::string_view: its name in graphs, tables and profile JSON ("conv2d")
//   forward     forward(x, y), forward(a, b, y) or forward(std::span<const tensor_ref>, y): 1, 2 or N inputs
//   output_shape(std::span<const shape_t>) with the batch axis; throws shape_error on a mismatch
//   parameters  named parameter tensors, for loading weights by PyTorch state_dict key suffix
//   role        optional static constexpr profile_role: its part in DeepDataProfiler's grouping (default opaque)
//   head_is_tail optional static constexpr bool: its profile layer's head is its tail, not its own output
//               (DDP's residual add, whose influence is read after the ReLU that follows it)
//   cost        optional cost(std::span<const shape_t>) -> layer_cost (default: its output bytes only)
//   aliases     optional static constexpr std::string_view aliases[]: other names it answers to (PyTorch
//               class names such as "Conv2d", for TensorState's attach_to)
//   contribution_rule<L>  optional specialization (core/contribution_rule.hpp): its backtrace per neuron policy
//
// docs/extending.md walks through a new layer type with all of these.

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

// What a node does in DeepDataProfiler's layer grouping (specs/ddp.md sections 1 and 9).
enum class profile_role {
    starts_layer,  // a profile layer starts here (conv2d, linear, pools, add, concat): it needs a contribution rule
    absorbed,      // element-wise: joins the layer before it (batch_norm, relu, sigmoid, dropout)
    reshape,       // joins the layer before it and only reshapes it (flatten): the layer's shape is taken before it
    opaque,        // no contribution meaning (attention, LayerNorm, an unknown user layer): runs in forward passes,
                   // metrics and state capture, starts a layer of its own, and profiles refuse it by name
};

inline constexpr std::string_view to_string(profile_role r) {
    switch (r) {
        case profile_role::starts_layer: return "starts_layer";
        case profile_role::absorbed: return "absorbed";
        case profile_role::reshape: return "reshape";
        case profile_role::opaque: return "opaque";
    }
    return "unknown";
}

// A named parameter tensor a layer owns, for loading weights by PyTorch state_dict key suffix.
struct parameter {
    std::string name;  // "weight", "bias", "running_mean", ...
    shape_t shape;     // the shape it must have
    float* data;       // where its element_count(shape) floats go
    // seed_weights (model/seeded_weights.hpp) fills it from a uniform distribution scaled by the fan-in of
    // the layer's first such parameter, as PyTorch initialises conv and linear layers; others keep their values.
    bool seeded = false;
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

// Any number of inputs (concat): forward(std::span<const tensor_ref>, y).
template <class L>
concept variadic_layer = requires(const L& l, std::span<const tensor_ref> inputs, activation& y) {
    { l.forward(inputs, y) };
};

// The parts of a layer, each its own concept so that a type lacking one is told which (layer_check below).
template <class L>
concept has_layer_kind = requires { { L::kind } -> std::convertible_to<std::string_view>; };
template <class L>
concept has_output_shape = requires(const L& l, std::span<const shape_t> inputs) {
    { l.output_shape(inputs) } -> std::convertible_to<shape_t>;
};
template <class L>
concept has_parameters = requires(L& m) { { m.parameters() } -> std::convertible_to<std::vector<parameter>>; };
template <class L>
concept has_const_forward = unary_layer<L> || binary_layer<L> || variadic_layer<L>;

// Every layer: its kind, an output shape (batch included) for its input shapes, which throws
// shape_error on a mismatch, its parameters, and a const forward pass writing into a caller-owned activation.
template <class L>
concept layer = has_layer_kind<L> && has_output_shape<L> && has_parameters<L> && has_const_forward<L>;

// Instantiated where a type that is not a layer is used as one (any_layer's constructor): one static_assert
// per missing member, each saying what to write, where a bare concept failure says only that no conversion exists.
template <class L>
constexpr bool layer_check() {
    static_assert(has_layer_kind<L>,
                  "not an xddp layer: it lacks `static constexpr std::string_view kind = \"my_layer\";`");
    static_assert(has_output_shape<L>,
                  "not an xddp layer: it lacks `xddp::shape_t output_shape(std::span<const xddp::shape_t> inputs) const`");
    static_assert(has_parameters<L>,
                  "not an xddp layer: it lacks `std::vector<xddp::parameter> parameters()` (return {} for none)");
    static_assert(has_const_forward<L>,
                  "not an xddp layer: it lacks a const forward: `void forward(const xddp::tensor_ref& x, xddp::activation& y) "
                  "const` (or (a, b, y) for two inputs, or (std::span<const xddp::tensor_ref>, y) for any number)");
    return true;
}

// The arity of a layer that takes any number of inputs.
inline constexpr std::size_t any_arity = 0;

// Number of inputs a layer takes: 1, 2, or any_arity.
template <layer L>
inline constexpr std::size_t arity_v = variadic_layer<L> ? any_arity : binary_layer<L> ? 2 : 1;

// The layer's profile_role: L::role where it says, opaque where it does not.
template <layer L>
inline constexpr profile_role role_v = [] {
    if constexpr (requires { { L::role } -> std::convertible_to<profile_role>; }) return profile_role{L::role};
    else return profile_role::opaque;
}();

// Whether the layer's profile layer takes its tail as its head (L::head_is_tail where it says).
template <layer L>
inline constexpr bool head_is_tail_v = [] {
    if constexpr (requires { { L::head_is_tail } -> std::convertible_to<bool>; }) return bool{L::head_is_tail};
    else return false;
}();

// The other names a layer answers to (L::aliases where it has them).
template <layer L>
constexpr std::span<const std::string_view> aliases_of() {
    if constexpr (requires { std::span<const std::string_view>(L::aliases); }) return std::span<const std::string_view>(L::aliases);
    else return {};
}

}  // namespace xddp
