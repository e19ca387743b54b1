#pragma once
// One knob for all of xddp's threads: the pool that stages and pools use, and the BLAS library's threads
// (kernels call BLAS from one thread at a time, so the two never run on top of each other).

#include <algorithm>
#include <thread>

#include "xddp/core/parallel_for.hpp"
#include "xddp/kernels/host/blas.hpp"

namespace xddp {

// Sets the number of threads (0 = all cores) for xddp's pool and for BLAS.
inline void set_num_threads(unsigned threads) {
    default_thread_pool().resize(threads);
    // BLAS threads never exceed the hardware's: OpenBLAS gives each its own buffer (128 MiB of address
    // space) and retries forever when a memory limit refuses one.
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    kernels::host::set_blas_threads(static_cast<int>(std::min(default_thread_pool().size(), hardware)));
}

inline unsigned num_threads() { return default_thread_pool().size(); }

}  // namespace xddp
