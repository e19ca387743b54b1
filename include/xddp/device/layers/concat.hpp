#pragma once
// concat under a kernel policy: one launch per input, one thread per element of it; its rule routes
// (device/layers/routing.hpp).

#include <cstddef>
#include <span>

#include "xddp/device/layers/routing.hpp"
#include "xddp/kernels/device/concat.hpp"
#include "xddp/layers/concat.hpp"

namespace xddp {

template <>
struct device_layer<concat> : routing_device_rule<concat> {
    template <class P>
    static void forward(const concat&, const device_forward_call<P>& c) {
        const shape_t& out = c.output.shape;
        const std::size_t positions = element_count(std::span(out).subspan(2));
        std::size_t offset = 0;
        for (std::size_t i = 0; i < c.inputs.size(); ++i) {
            const std::size_t channels = c.x_shape(i)[1];
            P::launch(c.inputs[i]->size(), kernels::device::concat_part_body{c.x(i), c.y(), channels, out[1], offset, positions});
            offset += channels;
        }
    }
};

XDDP_DEVICE_LAYER(concat)

}  // namespace xddp
