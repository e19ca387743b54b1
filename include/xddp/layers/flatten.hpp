#pragma once
// flatten: (N, d1, d2, ...) -> (N, d1*d2*...), torch.flatten(x, 1).

#include <span>
#include <string_view>
#include <vector>

#include "xddp/layers/detail/elementwise.hpp"

namespace xddp {

struct flatten {
    static constexpr std::string_view kind = "flatten";
    static constexpr profile_role role = profile_role::reshape;
    static constexpr std::string_view aliases[] = {"Flatten"};  // PyTorch
    layer_cost cost(std::span<const shape_t> inputs) const { return output_cost(output_shape(inputs), 0); }
    shape_t output_shape(std::span<const shape_t> inputs) const {
        const shape_t& in = detail::same_shape(inputs, "flatten");
        return {in[0], element_count(std::span(in).subspan(1))};
    }
    std::vector<parameter> parameters() { return {}; }
    void forward(const tensor_ref& x, activation& y) const {
        const shape_t in = x.shape();
        detail::map_elements(x, y, [](float v) { return v; });
        y.reshape(output_shape(std::span(&in, 1)));
    }
};

}  // namespace xddp
