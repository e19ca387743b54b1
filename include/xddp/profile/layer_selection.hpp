#pragma once
// layer_selection: which profile layers (indices into layer_groups(g)) a profile covers, DeepDataProfiler's
// layers_to_profile. Said by name, never by a value that could mean two things:
//   layer_selection::all()            every layer (the default, also what `.layers = {}` gives)
//   layer_selection::none()           no layer (the profile holds only the input layer)
//   layer_selection::only({3, 5})     these layers
//   layer_selection::range(2, 5)      layers [2, 5), DDP's tuple form
// Layer 0 (the input) is never profiled; naming it is allowed and changes nothing.

#include <cstddef>
#include <utility>
#include <vector>

namespace xddp {

class layer_selection {
public:
    layer_selection() = default;  // all

    static layer_selection all() { return {}; }
    static layer_selection none() { return layer_selection(std::vector<std::size_t>{}); }
    static layer_selection only(std::vector<std::size_t> indices) { return layer_selection(std::move(indices)); }
    static layer_selection range(std::size_t first, std::size_t last) {
        std::vector<std::size_t> r;
        for (std::size_t k = first; k < last; ++k) r.push_back(k);
        return layer_selection(std::move(r));
    }

    bool is_all() const noexcept { return all_; }
    // The layers named, as given (empty for all(), and for none()).
    const std::vector<std::size_t>& indices() const noexcept { return indices_; }

    friend bool operator==(const layer_selection&, const layer_selection&) = default;

private:
    explicit layer_selection(std::vector<std::size_t> indices) : all_(false), indices_(std::move(indices)) {}

    bool all_ = true;
    std::vector<std::size_t> indices_;
};

}  // namespace xddp
