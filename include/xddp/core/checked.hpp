#pragma once
// Checked arithmetic for counts that come from outside (input shapes, costs, file headers): a count that
// does not fit in 64 bits is a value_error naming what was counted, never a result modulo 2^64.
// element_count (core/shape.hpp) stays unchecked for tensors that already exist in memory.

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"

namespace xddp {

namespace detail {

[[noreturn]] inline void checked_overflow(std::uint64_t a, std::string_view op, std::uint64_t b, std::string_view what) {
    throw value_error(std::string(what) + ": " + std::to_string(a) + std::string(op) + std::to_string(b) +
                      " does not fit in 64 bits");
}

}  // namespace detail

inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, std::string_view what) {
    std::uint64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) detail::checked_overflow(a, " x ", b, what);
    return r;
}

inline std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, std::string_view what) {
    std::uint64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) detail::checked_overflow(a, " + ", b, what);
    return r;
}

// The product of the extents, or a shape_error when it does not fit in 64 bits.
inline std::uint64_t checked_element_count(std::span<const std::size_t> shape, std::string_view what) {
    std::uint64_t n = 1;
    for (std::size_t e : shape)
        if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(e), &n))
            throw shape_error(std::string(what) + ": shape " + to_string(shape) +
                              " has more elements than fit in 64 bits");
    return n;
}

}  // namespace xddp
