#pragma once
// One knob for all of xddp's threads: the pool that stages and pools use, and every other thread pool that
// follows it (the BLAS library's, registered by kernels/host/blas.hpp; kernels call BLAS from one thread at a
// time, so the two never run on top of each other).

#include <vector>

#include "xddp/core/parallel_for.hpp"

namespace xddp {

namespace detail {
inline std::vector<void (*)(unsigned)>& thread_count_followers() {
    static std::vector<void (*)(unsigned)> followers;
    return followers;
}
}  // namespace detail

// Registers f to be told the pool's thread count at each set_num_threads (returns true, for an inline
// variable's initializer).
inline bool follow_thread_count(void (*f)(unsigned)) {
    detail::thread_count_followers().push_back(f);
    return true;
}

// Sets the number of threads (0 = all cores) for xddp's pool and for the pools that follow it.
inline void set_num_threads(unsigned threads) {
    default_thread_pool().resize(threads);
    for (const auto f : detail::thread_count_followers()) f(default_thread_pool().size());
}

inline unsigned num_threads() { return default_thread_pool().size(); }

}  // namespace xddp
