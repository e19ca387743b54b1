// The thread pool: every index once, exceptions carried to the caller, nesting runs serially.

#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include <xddp/core/parallel_for.hpp>
#include <xddp/core/threads.hpp>

TEST_CASE("parallel_for visits every index exactly once") {
    for (unsigned threads : {1u, 2u, 4u}) {
        xddp::thread_pool pool(threads);
        std::vector<std::atomic<int>> hits(1000);
        pool.parallel_for(0, hits.size(), [&](std::size_t i) { hits[i]++; }, 7);
        for (auto& h : hits) CHECK(h.load() == 1);
    }
}

TEST_CASE("parallel_for rethrows the first exception and stays usable") {
    xddp::thread_pool pool(3);
    CHECK_THROWS_AS(pool.parallel_for(0, 100, [](std::size_t i) {
        if (i == 42) throw std::runtime_error("boom");
    }), std::runtime_error);
    std::atomic<int> n{0};
    pool.parallel_for(0, 50, [&](std::size_t) { n++; });
    CHECK(n == 50);
}

TEST_CASE("a nested parallel_for runs serially inside the outer one") {
    std::atomic<int> n{0};
    xddp::parallel_for(0, 8, [&](std::size_t) { xddp::parallel_for(0, 8, [&](std::size_t) { n++; }); });
    CHECK(n == 64);
}

TEST_CASE("set_num_threads resizes the default pool") {
    const unsigned before = xddp::num_threads();
    xddp::set_num_threads(2);
    CHECK(xddp::num_threads() == 2);
    xddp::set_num_threads(before);
}
