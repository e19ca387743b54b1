#pragma once
// Finiteness of float buffers, the one check behind the rule "non-finite activations stop the run, naming
// the layer where they first appear" (model/graph.hpp) and of inputs and weights.

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

namespace xddp {

// NaN and Inf are the floats whose exponent bits are all set; an OR of comparisons vectorizes.
inline bool all_finite(const float* p, std::size_t n) noexcept {
    std::uint32_t bad = 0;
    for (std::size_t k = 0; k < n; ++k)
        bad |= static_cast<std::uint32_t>((std::bit_cast<std::uint32_t>(p[k]) & 0x7f800000u) == 0x7f800000u);
    return bad == 0;
}

// The index of the first NaN or Inf in p[0, n), or n when all are finite.
inline std::size_t first_non_finite(const float* p, std::size_t n) noexcept {
    if (all_finite(p, n)) return n;
    std::size_t k = 0;
    while (k < n && std::isfinite(p[k])) ++k;
    return k;
}

// "NaN", "+Inf" or "-Inf", for messages.
inline std::string non_finite_name(float v) { return std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"); }

}  // namespace xddp
