#pragma once
// The tensor_policy concept: what a storage/kernel backend (host, cuda) provides.

#include <array>
#include <concepts>
#include <string_view>

namespace xddp {

template <class P>
concept tensor_policy = requires {
    { P::name } -> std::convertible_to<std::string_view>;
    typename P::dynamic_tensor;
    typename P::template tensor<4>;
    typename P::template tensor<2>;
    typename P::template tensor<1>;
} && requires(float* data, const std::array<std::size_t, 4>& shape) {
    { P::adapt(data, shape) };
};

}  // namespace xddp
