#pragma once
// Restores xddp's thread count when a test that changes it ends.

#include <xddp/core/threads.hpp>

struct thread_count_guard {
    unsigned saved = xddp::num_threads();
    ~thread_count_guard() { xddp::set_num_threads(saved); }
};
