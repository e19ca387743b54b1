#pragma once
// Shape checks shared by the layers; messages name the layer kind, the shape seen and what was expected.

#include <span>
#include <string>
#include <string_view>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"

namespace xddp::detail {

inline const shape_t& single_input(std::span<const shape_t> inputs, std::string_view kind) {
    if (inputs.size() != 1)
        throw shape_error(std::string(kind) + ": expected 1 input, got " + std::to_string(inputs.size()));
    return inputs[0];
}

// An (N, C, H, W) batch; `expected` describes it for the message, e.g. "(N, 3, H, W)".
inline void expect_nchw(const shape_t& s, std::string_view kind, std::size_t channels, std::string_view expected) {
    if (s.size() != 4 || s[1] != channels)
        throw shape_error(std::string(kind) + ": input shape " + to_string(s) + " does not fit, expected " +
                          std::string(expected));
}

inline void require(bool ok, std::string_view kind, const std::string& what) {
    if (!ok) throw value_error(std::string(kind) + ": " + what);
}

}  // namespace xddp::detail
