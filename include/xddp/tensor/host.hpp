#pragma once
// The host tensor policy: storage is xtensor, kernels run on the CPU over raw pointers.

#include <array>
#include <cstddef>
#include <string_view>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

namespace xddp {

struct host {
    static constexpr std::string_view name = "host";

    // Fixed-rank storage, for weights and for users who know their ranks.
    template <std::size_t N>
    using tensor = xt::xtensor<float, N>;

    // Dynamic-rank storage: the activations a model graph hands from layer to layer.
    using dynamic_tensor = xt::xarray<float>;

    // A user's own buffer seen as a tensor, without a copy. The caller keeps the buffer alive.
    template <std::size_t N>
    static auto adapt(float* data, const std::array<std::size_t, N>& shape) {
        std::size_t size = 1;
        for (auto e : shape) size *= e;
        return xt::adapt(data, size, xt::no_ownership(), shape);
    }
    template <std::size_t N>
    static auto adapt(const float* data, const std::array<std::size_t, N>& shape) {
        std::size_t size = 1;
        for (auto e : shape) size *= e;
        return xt::adapt(data, size, xt::no_ownership(), shape);
    }
};

}  // namespace xddp
