#pragma once
// Which rows of a layer's input count towards a pattern (specs/patterns.md): all of them (`linear`), those
// whose pre-activation z = x w + b is strictly positive (`relu`), or the others (`relu.negative`).

#include <array>
#include <string>
#include <string_view>

#include "xddp/core/error.hpp"

namespace xddp {

enum class pattern_kind { linear, relu, relu_negative };

inline constexpr std::array<pattern_kind, 3> pattern_kinds = {pattern_kind::linear, pattern_kind::relu,
                                                               pattern_kind::relu_negative};

inline constexpr std::string_view to_string(pattern_kind k) {
    switch (k) {
        case pattern_kind::linear: return "linear";
        case pattern_kind::relu: return "relu";
        case pattern_kind::relu_negative: return "relu.negative";
    }
    return "unknown";
}

// "linear", "relu" or "relu.negative" (iNNvestigate's names).
inline pattern_kind parse_pattern_kind(std::string_view s) {
    for (pattern_kind k : pattern_kinds)
        if (s == to_string(k)) return k;
    throw value_error("pattern kind '" + std::string(s) + "' is unknown; expected linear, relu or relu.negative");
}

}  // namespace xddp
