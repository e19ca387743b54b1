#pragma once
// Driving the selection kernels (kernels/device/selection.hpp) under a kernel policy: the buffers of a batch
// of selection problems (segments), the download of what they accepted, and neuron indices uploaded for
// the kernels. Used by the device profile driver and the device contribution rules (device/layers/).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "xddp/device/sort.hpp"
#include "xddp/kernels/device/selection.hpp"
#include "xddp/kernels/device/sort.hpp"

namespace xddp::detail::device {

// The accepted entries of every segment after a selection kernel: (segment, position, weight), zero weights
// dropped, in sorted order within a segment.
struct accepted_entry {
    std::size_t segment;
    std::uint32_t position;
    float weight;
};

template <class P>
struct selection_buffers {
    typename P::template buffer<std::uint32_t> order, accepted;
    typename P::template buffer<float> weights;

    selection_buffers(std::size_t segments, std::size_t padded)
        : order(P::template allocate<std::uint32_t>(segments * padded)),
          accepted(P::template allocate<std::uint32_t>(segments)),
          weights(P::template allocate<float>(segments * padded)) {}

    kernels::device::selection_segments segments(const float* values, std::size_t stride, std::size_t padded,
                                                 std::size_t n, const std::uint32_t* lengths) {
        return {values, order.data(), stride, padded, n, lengths, accepted.data(), weights.data()};
    }

    // Downloads what the selection accepted: three copies in all (counts, sorted positions, weights), not
    // one per segment, since each copy to the host waits for the stream.
    std::vector<accepted_entry> download(std::size_t segments, std::size_t padded) const {
        std::vector<std::uint32_t> count(segments), pos(segments * padded);
        std::vector<float> w(segments * padded);
        P::download(accepted.data(), segments, count.data());
        P::download(order.data(), pos.size(), pos.data());
        P::download(weights.data(), w.size(), w.data());
        std::vector<accepted_entry> out;
        for (std::size_t s = 0; s < segments; ++s)
            for (std::size_t k = 0; k < count[s]; ++k)
                if (w[s * padded + k] != 0.0f) out.push_back({s, pos[s * padded + k], w[s * padded + k]});
        return out;
    }
};

template <class P>
typename P::template buffer<std::uint32_t> upload_indices(std::span<const std::size_t> indices) {
    std::vector<std::uint32_t> v(indices.begin(), indices.end());
    auto b = P::template allocate<std::uint32_t>(v.size());
    P::upload(v.data(), v.size(), b.data());
    return b;
}

template <class T, class P, class Buffer>
std::vector<T> download(const Buffer& b, std::size_t n) {
    std::vector<T> v(n);
    P::download(b.data(), n, v.data());
    return v;
}

}  // namespace xddp::detail::device
