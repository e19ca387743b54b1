#pragma once
// batch_norm under a kernel policy: the inference batch norm folded on the host into a per-channel scale
// and shift (the same float expressions as batch_norm::forward), then one thread per element.

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "xddp/device/layer_kernel.hpp"
#include "xddp/kernels/device/elementwise.hpp"
#include "xddp/layers/batch_norm.hpp"

namespace xddp {

template <>
struct device_layer<batch_norm> {
    template <class P>
    static std::vector<device_buffer<P>> upload(const batch_norm& b) {
        std::vector<float> scale(b.channels()), shift(b.channels());
        for (std::size_t c = 0; c < b.channels(); ++c) {
            scale[c] = b.weight()(c) / std::sqrt(b.running_var()(c) + b.eps());
            shift[c] = b.bias()(c) - b.running_mean()(c) * scale[c];
        }
        std::vector<device_buffer<P>> p;
        p.push_back(to_device_buffer<P>(scale.data(), scale.size()));
        p.push_back(to_device_buffer<P>(shift.data(), shift.size()));
        return p;
    }

    template <class P>
    static void forward(const batch_norm& b, const device_forward_call<P>& c) {
        const std::size_t positions = element_count(std::span(c.x_shape()).subspan(2));
        P::launch(c.count(), kernels::device::channel_affine_body{c.x(), c.y(), c.parameters[0].data(), c.parameters[1].data(),
                                                                  b.channels(), positions});
    }
};

XDDP_DEVICE_LAYER(batch_norm)

}  // namespace xddp
