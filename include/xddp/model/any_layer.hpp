#pragma once
// any_layer: a value that holds any type satisfying the layer concept, so a graph can mix built-in
// layers and users' own. get_if<L>() recovers the concrete type for stages that dispatch on it.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/layer.hpp"

namespace xddp {

class any_layer {
public:
    template <layer L>
        requires(!std::same_as<std::remove_cvref_t<L>, any_layer>)
    any_layer(L l)  // NOLINT(google-explicit-constructor): any layer converts, on purpose
        : self_(std::make_unique<model<L>>(std::move(l))) {}

    any_layer(const any_layer& o) : self_(o.self_->clone()) {}
    any_layer(any_layer&&) noexcept = default;
    any_layer& operator=(const any_layer& o) { return *this = any_layer(o); }
    any_layer& operator=(any_layer&&) noexcept = default;

    layer_kind kind() const { return self_->kind(); }
    std::size_t arity() const { return self_->arity(); }
    shape_t output_shape(std::span<const shape_t> inputs) const { return self_->output_shape(inputs); }
    std::vector<parameter> parameters() { return self_->parameters(); }
    // The layer's own cost (its member cost()); for a layer that does not say, only its output bytes.
    layer_cost cost(std::span<const shape_t> inputs) const { return self_->cost(inputs); }

    void forward(std::span<const tensor_ref> inputs, activation& y) const {
        if (inputs.size() != arity())
            throw shape_error(std::string(to_string(kind())) + ": expected " + std::to_string(arity()) +
                              " inputs, got " + std::to_string(inputs.size()));
        self_->forward(inputs, y);
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
        virtual layer_kind kind() const = 0;
        virtual std::size_t arity() const = 0;
        virtual shape_t output_shape(std::span<const shape_t>) const = 0;
        virtual std::vector<parameter> parameters() = 0;
        virtual layer_cost cost(std::span<const shape_t>) const = 0;
        virtual void forward(std::span<const tensor_ref>, activation&) const = 0;
        virtual std::unique_ptr<interface> clone() const = 0;
    };

    template <layer L>
    struct model final : interface {
        explicit model(L l) : value(std::move(l)) {}
        layer_kind kind() const override { return L::kind; }
        std::size_t arity() const override { return arity_v<L>; }
        shape_t output_shape(std::span<const shape_t> inputs) const override { return value.output_shape(inputs); }
        std::vector<parameter> parameters() override { return value.parameters(); }
        layer_cost cost(std::span<const shape_t> inputs) const override {
            if constexpr (requires { { value.cost(inputs) } -> std::convertible_to<layer_cost>; }) return value.cost(inputs);
            else return output_cost(value.output_shape(inputs), 0);
        }
        void forward(std::span<const tensor_ref> inputs, activation& y) const override {
            if constexpr (binary_layer<L>) value.forward(inputs[0], inputs[1], y);
            else value.forward(inputs[0], y);
        }
        std::unique_ptr<interface> clone() const override { return std::make_unique<model>(value); }
        L value;
    };

    std::unique_ptr<interface> self_;
};

}  // namespace xddp
