#pragma once
// A non-owning, read-only view of a contiguous row-major float tensor. Layers read their inputs
// through it, so a user's own buffer (xt::adapt, or any xtensor container) is used without a copy.

#include <cstddef>
#include <span>
#include <string>

#include <xtensor/xlayout.hpp>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"

namespace xddp {

template <class E>
concept contiguous_float_tensor = requires(const E& e) {
    { e.data() } -> std::convertible_to<const float*>;
    { e.shape() };
    { e.layout() } -> std::convertible_to<xt::layout_type>;
};

class tensor_ref {
public:
    tensor_ref(const float* data, shape_t shape) : data_(data), shape_(std::move(shape)) {}

    // Any xtensor container or adaptor over floats, row-major and contiguous.
    template <contiguous_float_tensor E>
    tensor_ref(const E& e)  // NOLINT(google-explicit-constructor): a view, implicit on purpose
        : data_(e.data()), shape_(e.shape().begin(), e.shape().end()) {
        if (e.layout() != xt::layout_type::row_major && shape_.size() > 1)
            throw unsupported_error("tensor of shape " + to_string(shape_) +
                                    " is not row-major; expected a contiguous row-major (C order) tensor");
    }

    const float* data() const noexcept { return data_; }
    const shape_t& shape() const noexcept { return shape_; }
    std::size_t dimension() const noexcept { return shape_.size(); }
    std::size_t size() const noexcept { return element_count(shape_); }
    std::span<const float> values() const noexcept { return {data_, size()}; }

    // The same data seen with another shape of equal size (a flatten or reshape, no copy).
    tensor_ref reshaped(shape_t shape) const {
        if (element_count(shape) != size())
            throw shape_error("cannot view a tensor of shape " + to_string(shape_) + " as " + to_string(shape));
        return {data_, std::move(shape)};
    }

private:
    const float* data_;
    shape_t shape_;
};

}  // namespace xddp
