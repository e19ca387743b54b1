#pragma once
// The profile layers a user names: "A:B", the range [A, B) (DeepDataProfiler's tuple form), or a list
// "1,3,5". Every index must be a layer of the model (below num_layers), so the list is bounded by what it
// can mean: "0:18446744073709551615" is refused before any memory is spent on it.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/io/text_numbers.hpp"

namespace xddp::io {

inline std::vector<std::size_t> parse_layer_list(std::string_view text, std::size_t num_layers) {
    const std::string what = "layers '" + excerpt(text) + "'";
    auto index = [&](std::string_view s) {
        const std::uint64_t v = parse_unsigned(s, what + ": a layer index (A:B or a list like 1,3,5)");
        if (v >= num_layers)
            throw value_error(what + ": layer " + std::to_string(v) + " is not a layer of the model, which has layers 0 to " +
                              std::to_string(num_layers - 1));
        return static_cast<std::size_t>(v);
    };
    std::vector<std::size_t> list;
    if (const auto colon = text.find(':'); colon != std::string_view::npos) {
        const std::size_t first = index(text.substr(0, colon));
        const std::string_view end_text = text.substr(colon + 1);
        const std::uint64_t last = parse_unsigned(end_text, what + ": a layer index (A:B or a list like 1,3,5)");
        if (last > num_layers)
            throw value_error(what + ": the range ends past the model's last layer " + std::to_string(num_layers - 1) +
                              "; expected B <= " + std::to_string(num_layers));
        if (first >= last) throw value_error(what + ": an empty range, expected A < B");
        for (std::size_t i = first; i < last; ++i) list.push_back(i);
        return list;
    }
    for (std::string_view part : split_commas(text)) list.push_back(index(part));
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    return list;
}

}  // namespace xddp::io
