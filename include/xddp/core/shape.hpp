#pragma once
// Shapes of tensors: a plain vector of extents, printed the way users see them, "(1, 3, 32, 32)".

#include <cstddef>
#include <initializer_list>
#include <numeric>
#include <span>
#include <string>
#include <vector>

namespace xddp {

using shape_t = std::vector<std::size_t>;

inline std::string to_string(std::span<const std::size_t> shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    if (shape.size() == 1) s += ",";
    return s + ")";
}

inline std::string to_string(std::initializer_list<std::size_t> shape) {
    return to_string(std::span<const std::size_t>(shape.begin(), shape.size()));
}

// Number of elements; 1 for a scalar shape.
inline std::size_t element_count(std::span<const std::size_t> shape) {
    return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>{});
}

}  // namespace xddp
