#pragma once
// any_layer: a value that holds any type satisfying the layer concept, so a graph can mix built-in
// layers and users' own. It captures, when it is made, everything xddp does with the layer type: kind,
// role in the profile grouping, arity, output shape, parameters, cost, forward pass and contribution rule
// (core/layer.hpp, core/contribution_rule.hpp). get_if<L>() recovers the concrete type.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <typeinfo>
#include <vector>

#include "xddp/core/contribution_rule.hpp"
#include "xddp/core/error.hpp"
#include "xddp/core/layer.hpp"

namespace xddp {

class any_layer {
public:
    template <layer L>
        requires(!std::same_as<std::remove_cvref_t<L>, any_layer>)
    any_layer(L l)  // NOLINT(google-explicit-constructor): any layer converts, on purpose
        : self_(std::make_unique<model<L>>(std::move(l))) {}

    // A class that is not a layer: a compile error saying which member it lacks (core/layer.hpp's layer_check).
    template <class L>
        requires(std::is_class_v<L> && !layer<L> && !std::same_as<std::remove_cvref_t<L>, any_layer>)
    any_layer(L) {  // NOLINT(google-explicit-constructor)
        static_assert(layer_check<L>());
    }

    any_layer(const any_layer& o) : self_(o.self_->clone()) {}
    any_layer(any_layer&&) noexcept = default;
    any_layer& operator=(const any_layer& o) { return *this = any_layer(o); }
    any_layer& operator=(any_layer&&) noexcept = default;

    std::string_view kind() const { return self_->kind(); }
    profile_role role() const { return self_->role(); }
    bool head_is_tail() const { return self_->head_is_tail(); }
    std::span<const std::string_view> aliases() const { return self_->aliases(); }
    // 1, 2, or any_arity (0) for a layer that takes any number of inputs.
    std::size_t arity() const { return self_->arity(); }
    // The concrete layer type, for lookups keyed by type (device kernels).
    std::type_index type() const { return self_->type(); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return self_->output_shape(inputs); }
    std::vector<parameter> parameters() { return self_->parameters(); }
    // The layer's own cost (its member cost()); for a layer that does not say, only its output bytes.
    layer_cost cost(std::span<const shape_t> inputs) const { return self_->cost(inputs); }

    void forward(std::span<const tensor_ref> inputs, activation& y) const {
        const std::size_t n = arity();
        if (n != any_arity ? inputs.size() != n : inputs.empty())
            throw shape_error(std::string(kind()) + ": expected " + (n == any_arity ? std::string("at least 1") : std::to_string(n)) +
                              " input(s), got " + std::to_string(inputs.size()));
        self_->forward(inputs, y);
    }

    // Whether the layer type has a contribution rule (a contribution_rule<L> specialization).
    bool has_contribution_rule() const { return self_->has_contribution_rule(); }
    // Its contribution rule under neuron policy P; unsupported_error naming the kind where it has none.
    template <neuron_policy P>
    void contributions(const contribution_step& step) const {
        self_->contributions(step, P{});
    }

    template <class L>
    const L* get_if() const noexcept {
        auto* m = dynamic_cast<const model<L>*>(self_.get());
        return m ? &m->value : nullptr;
    }
    template <class L>
    L* get_if() noexcept {
        auto* m = dynamic_cast<model<L>*>(self_.get());
        return m ? &m->value : nullptr;
    }

private:
    struct interface {
        virtual ~interface() = default;
        virtual std::string_view kind() const = 0;
        virtual profile_role role() const = 0;
        virtual bool head_is_tail() const = 0;
        virtual std::span<const std::string_view> aliases() const = 0;
        virtual std::size_t arity() const = 0;
        virtual std::type_index type() const = 0;
        virtual shape_t output_shape(std::span<const shape_t>) const = 0;
        virtual std::vector<parameter> parameters() = 0;
        virtual layer_cost cost(std::span<const shape_t>) const = 0;
        virtual void forward(std::span<const tensor_ref>, activation&) const = 0;
        virtual bool has_contribution_rule() const = 0;
        virtual void contributions(const contribution_step&, channel_neurons) const = 0;
        virtual void contributions(const contribution_step&, element_neurons) const = 0;
        virtual std::unique_ptr<interface> clone() const = 0;
    };

    template <layer L>
    struct model final : interface {
        explicit model(L l) : value(std::move(l)) {}
        std::string_view kind() const override { return L::kind; }
        profile_role role() const override { return role_v<L>; }
        bool head_is_tail() const override { return head_is_tail_v<L>; }
        std::span<const std::string_view> aliases() const override { return aliases_of<L>(); }
        std::size_t arity() const override { return arity_v<L>; }
        std::type_index type() const override { return typeid(L); }
        shape_t output_shape(std::span<const shape_t> inputs) const override { return value.output_shape(inputs); }
        std::vector<parameter> parameters() override { return value.parameters(); }
        layer_cost cost(std::span<const shape_t> inputs) const override {
            if constexpr (requires { { value.cost(inputs) } -> std::convertible_to<layer_cost>; }) return value.cost(inputs);
            else return output_cost(value.output_shape(inputs), 0);
        }
        void forward(std::span<const tensor_ref> inputs, activation& y) const override {
            if constexpr (variadic_layer<L>) value.forward(inputs, y);
            else if constexpr (binary_layer<L>) value.forward(inputs[0], inputs[1], y);
            else value.forward(inputs[0], y);
        }
        bool has_contribution_rule() const override { return xddp::has_contribution_rule<L>; }
        void contributions(const contribution_step& step, channel_neurons) const override { apply<channel_neurons>(step); }
        void contributions(const contribution_step& step, element_neurons) const override { apply<element_neurons>(step); }
        std::unique_ptr<interface> clone() const override { return std::make_unique<model>(value); }

        template <class P>
        void apply(const contribution_step& step) const {
            if constexpr (has_contribution_rule_for<L, P>) {
                contribution_rule<L>::template apply<P>(value, step);
            } else {
                throw unsupported_error("a " + std::string(L::kind) + " layer has no contribution rule for " +
                                        std::string(P::name) + " neurons; specialise xddp::contribution_rule<" +
                                        std::string(L::kind) + "> next to the layer (docs/extending.md)");
            }
        }

        L value;
    };

    std::unique_ptr<interface> self_;
};

}  // namespace xddp
