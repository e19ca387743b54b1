#pragma once
// Strict parsing of the counts and shapes users type ("1,3,224,224", "0:8"): digits only, so "-1" is refused
// instead of wrapping to 18446744073709551615, and a count that does not fit in 64 bits is refused too.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/checked.hpp"
#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"

namespace xddp::io {

// A non-negative integer written in decimal digits; value_error naming `what` otherwise.
inline std::uint64_t parse_unsigned(std::string_view text, std::string_view what) {
    auto fail = [&](const std::string& why) -> std::uint64_t {
        throw value_error(std::string(what) + ": '" + excerpt(text) + "' " + why);
    };
    if (text.empty()) return fail("is empty; expected a non-negative integer");
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return fail(c == '-' ? "is negative; expected a non-negative integer" : "is not a non-negative integer");
        if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, static_cast<std::uint64_t>(c - '0'), &v))
            return fail("does not fit in 64 bits");
    }
    return v;
}

// The comma-separated parts of text ("" gives one empty part).
inline std::vector<std::string_view> split_commas(std::string_view text) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const auto comma = text.find(',', start);
        parts.push_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (comma == std::string_view::npos) return parts;
        start = comma + 1;
    }
}

// "1,3,224,224": positive extents whose product fits in 64 bits; at most 8 of them.
inline shape_t parse_shape(std::string_view text, std::string_view what) {
    const auto parts = split_commas(text);
    if (parts.size() > 8)
        throw value_error(std::string(what) + ": '" + excerpt(text) + "' has " + std::to_string(parts.size()) +
                          " extents; expected at most 8");
    shape_t shape;
    for (std::string_view part : parts) {
        std::uint64_t v = 0;
        try {
            v = parse_unsigned(part, what);
        } catch (const value_error&) {
        }
        if (v == 0)
            throw value_error(std::string(what) + ": '" + excerpt(text) + "': '" + excerpt(part, 24) +
                              "' is not a positive extent");
        shape.push_back(static_cast<std::size_t>(v));
    }
    checked_element_count(shape, what);
    return shape;
}

}  // namespace xddp::io
