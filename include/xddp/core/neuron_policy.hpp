#pragma once
// Neuron policies: what one "neuron" of a layer is. Chosen at compile time by the contribution
// profiler; a channel is a whole feature map, an element one position of it.

#include <concepts>
#include <string_view>

namespace xddp {

// A neuron is a channel c of a (C, H, W) activation; a vector activation's neuron is its element n.
struct channel_neurons {
    static constexpr std::string_view name = "channel";
};

// A neuron is one element (c, i, j) of a (C, H, W) activation, flat index c*H*W + i*W + j.
struct element_neurons {
    static constexpr std::string_view name = "element";
};

template <class P>
concept neuron_policy = std::same_as<P, channel_neurons> || std::same_as<P, element_neurons>;

}  // namespace xddp
