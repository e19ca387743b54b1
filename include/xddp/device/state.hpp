#pragma once
// State packing and counting (specs/tensorstate.md) under a kernel policy: an activation (N, C, d1, ...)
// in the policy's memory is packed by pack_states_body (one thread per state and 64-neuron word), the
// states are sorted by a bitonic sort (ascending as little-endian integers, TensorState's order) and
// run_starts_body flags the first state of each run of equal states. The host downloads the flags, the
// sorted order and the packed states, and keeps the first state of each run: the result is exact (no
// hashing) and equals state_counter<exact_hash>::distinct_states() of the same activation.
//
//   xddp::state_counts c = xddp::count_states<xddp::cuda>(activation);        // xddp::host: state_counter
//   std::vector<std::uint64_t> words = xddp::pack_states<xddp::cuda_emulated>(activation);

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/tensor_ref.hpp"
#include "xddp/device/forward.hpp"
#include "xddp/device/sort.hpp"
#include "xddp/kernels/device/sort.hpp"
#include "xddp/kernels/device/state.hpp"
#include "xddp/state/counter.hpp"
#include "xddp/state/pack.hpp"

namespace xddp {

namespace detail::device {

struct state_layout {
    std::size_t inputs, neurons, positions;
    std::size_t states() const noexcept { return inputs * positions; }
};

inline state_layout layout_of(const shape_t& shape) {
    if (shape.size() < 2 || shape[1] == 0)
        throw shape_error("count_states: activation of shape " + to_string(shape) +
                          " has no neuron axis; expected (N, C) or (N, C, d1, ...) with C > 0");
    std::size_t positions = 1;
    for (std::size_t i = 2; i < shape.size(); ++i) positions *= shape[i];
    return {shape[0], shape[1], positions};
}

template <class P>
typename P::template buffer<std::uint64_t> pack(const float* x, const state_layout& l) {
    const std::size_t words = state_words(l.neurons);
    auto packed = P::template allocate<std::uint64_t>(l.states() * words);
    P::launch(l.states() * words, kernels::device::pack_states_body{x, packed.data(), l.neurons, l.positions, words});
    return packed;
}

}  // namespace detail::device

// The packed states of x (N, C, d1, ...), state n*positions + p at words [s*W, s*W + W), W = state_words(C),
// as xddp::pack_states lays them out.
template <class P>
    requires kernel_policy<P>
std::vector<std::uint64_t> pack_states(const device_tensor<P>& x) {
    require_kernel_policy<P>();
    const auto l = detail::device::layout_of(x.shape);
    const auto packed = detail::device::pack<P>(x.data.data(), l);
    std::vector<std::uint64_t> out(l.states() * state_words(l.neurons));
    P::download(packed.data(), out.size(), out.data());
    return out;
}

template <class P>
std::vector<std::uint64_t> pack_states(const tensor_ref& x) {
    require_kernel_policy<P>();
    if constexpr (kernel_policy<P>) return pack_states<P>(to_device<P>(x));
    else return {};
}

// The distinct states of x (N, C, d1, ...) with their counts, in TensorState's order.
template <class P>
    requires kernel_policy<P>
state_counts count_states(const device_tensor<P>& x) {
    namespace k = kernels::device;
    require_kernel_policy<P>();
    const auto l = detail::device::layout_of(x.shape);
    const std::size_t words = state_words(l.neurons), n = l.states();
    state_counts out;
    out.neurons = l.neurons;
    if (n == 0) {
        out.states = xt::xtensor<std::uint8_t, 2>::from_shape({0, state_bytes(l.neurons)});
        return out;
    }
    if (n > 0xffffffffu) throw unsupported_error("count_states: " + std::to_string(n) + " states exceed 2^32 - 1 positions");
    const auto packed = detail::device::pack<P>(x.data.data(), l);
    const std::size_t padded = k::next_power_of_two(n);
    auto order = P::template allocate<std::uint32_t>(padded);
    detail::device::sort_segments<P>(order.data(), 1, padded, k::ascending_states{packed.data(), words, n});
    auto flags = P::template allocate<std::uint8_t>(n);
    P::launch(n, k::run_starts_body{packed.data(), order.data(), words, flags.data()});
    std::vector<std::uint8_t> f(n);
    std::vector<std::uint32_t> o(n);
    P::download(flags.data(), n, f.data());
    P::download(order.data(), n, o.data());
    std::vector<std::uint64_t> all(n * words), distinct;
    P::download(packed.data(), all.size(), all.data());
    for (std::size_t i = 0; i < n; ++i) {
        if (f[i]) {
            const auto first = all.begin() + static_cast<std::ptrdiff_t>(o[i] * words);
            distinct.insert(distinct.end(), first, first + static_cast<std::ptrdiff_t>(words));
            out.counts.push_back(0);
        }
        ++out.counts.back();
    }
    const std::vector<std::uint8_t> bytes = packed_bytes(distinct, l.neurons);
    const std::size_t b = state_bytes(l.neurons);
    out.states = xt::xtensor<std::uint8_t, 2>::from_shape({out.counts.size(), b});
    std::copy(bytes.begin(), bytes.end(), out.states.data());
    return out;
}

// The same for x in host memory; xddp::host counts with state_counter<exact_hash>.
template <class P = host>
state_counts count_states(const tensor_ref& x) {
    return by_policy<P>(
        [&] {
            detail::device::layout_of(x.shape());
            state_counter<exact_hash> c;
            c.add(x);
            return c.distinct_states();
        },
        [&]<class Q>() { return count_states<Q>(to_device<Q>(x)); });
}

}  // namespace xddp
