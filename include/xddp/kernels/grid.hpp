#pragma once
// The launch geometry shared by the host grid loop and the CUDA launches: one thread per work item,
// threads_per_block threads per block, enough blocks to cover the items (the CUDA wrapper additionally
// strides by the grid size when the items exceed max_blocks blocks). host_grid_launch runs a kernel body
// over exactly the same (block, thread) pairs, serially, so a body's indexing is tested on the host.

#include <cstddef>

namespace xddp::kernels {

inline constexpr std::size_t threads_per_block = 256;
inline constexpr std::size_t max_blocks = 65535;

inline constexpr std::size_t blocks_for(std::size_t items) noexcept {
    const std::size_t b = (items + threads_per_block - 1) / threads_per_block;
    return b < max_blocks ? b : max_blocks;
}

// for every block, for every thread: each global index i < items, visited grid-stride as on the device.
template <class Body>
void host_grid_launch(std::size_t items, const Body& body) {
    const std::size_t blocks = blocks_for(items), stride = blocks * threads_per_block;
    for (std::size_t block = 0; block < blocks; ++block)
        for (std::size_t thread = 0; thread < threads_per_block; ++thread)
            for (std::size_t i = block * threads_per_block + thread; i < items; i += stride) body(i);
}

}  // namespace xddp::kernels
