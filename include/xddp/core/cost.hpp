#pragma once
// layer_cost: what one layer costs for given input shapes, in both MAC conventions of specs/metrics.md.
//   common   (torchvision, Distiller): conv = out x (C_in / groups) x kH x kW, linear = in x out per row.
//   deeplite (deeplite-profiler HEAD): conv adds one per output element; norm, relu-type activations and
//            average pools count output elements; max pool counts input elements; add/flatten/dropout 0.

#include <cstdint>
#include <span>

#include "xddp/core/checked.hpp"
#include "xddp/core/shape.hpp"

namespace xddp {

enum class mac_convention { common, deeplite };

struct layer_cost {
    std::uint64_t macs_common = 0;
    std::uint64_t macs_deeplite = 0;
    std::uint64_t params = 0;            // trainable parameters (BN running statistics are buffers)
    std::uint64_t activation_bytes = 0;  // bytes of the output activation (fp32)

    std::uint64_t macs(mac_convention c) const noexcept { return c == mac_convention::common ? macs_common : macs_deeplite; }

    // Sums that do not fit in 64 bits are a value_error, never a count modulo 2^64.
    layer_cost& operator+=(const layer_cost& o) {
        macs_common = checked_add(macs_common, o.macs_common, "MACs (common)");
        macs_deeplite = checked_add(macs_deeplite, o.macs_deeplite, "MACs (deeplite)");
        params = checked_add(params, o.params, "parameters");
        activation_bytes = checked_add(activation_bytes, o.activation_bytes, "activation bytes");
        return *this;
    }
};

// The cost of a layer without MACs in the common convention: deeplite_macs, params, output bytes.
inline layer_cost output_cost(const shape_t& output, std::uint64_t deeplite_macs, std::uint64_t params = 0) {
    return {0, deeplite_macs, params,
            checked_mul(checked_element_count(output, "output"), sizeof(float), "output bytes")};
}

// A layer that costs one deeplite MAC per output element (norms, relu-type activations, average pools).
inline layer_cost per_output_element_cost(const shape_t& output, std::uint64_t params = 0) {
    return output_cost(output, checked_element_count(output, "output"), params);
}

}  // namespace xddp
