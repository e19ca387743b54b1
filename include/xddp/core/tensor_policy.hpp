#pragma once
// The tensor_policy concept: what every storage/kernel backend (host, cuda, cuda_emulated) provides and the
// library uses: a name for messages, and a caller's own buffer seen as a tensor without a copy. A backend
// with kernels states more (tensor/kernel_policy.hpp).

#include <array>
#include <concepts>
#include <string_view>

namespace xddp {

template <class P>
concept tensor_policy = requires {
    { P::name } -> std::convertible_to<std::string_view>;
} && requires(float* data, const std::array<std::size_t, 4>& shape) {
    { P::adapt(data, shape) };
};

}  // namespace xddp
