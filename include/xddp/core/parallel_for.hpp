#pragma once
// One small thread pool for all of xddp. parallel_for(begin, end, f) calls f(i) for every i, the
// calling thread working alongside the pool. A parallel_for inside a parallel_for runs serially, so
// stages never oversubscribe the cores; BLAS threads are set by the same count (kernels/host/blas.hpp).

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "xddp/core/error.hpp"

namespace xddp {

class thread_pool {
public:
    explicit thread_pool(unsigned threads = std::max(1u, std::thread::hardware_concurrency())) { resize(threads); }
    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;
    ~thread_pool() { stop(); }

    unsigned size() const noexcept { return static_cast<unsigned>(workers_.size()) + 1; }

    // The most threads a pool starts: four per hardware thread, so that a count typed by mistake
    // (--threads 1000000) cannot exhaust the process's threads or memory.
    static unsigned max_threads() noexcept { return 4 * std::max(1u, std::thread::hardware_concurrency()); }

    // Total threads including the caller; 0 means the hardware concurrency; more than max_threads() are
    // capped there. A thread the system refuses to start is a resource_error (the pool keeps one thread).
    void resize(unsigned threads) {
        if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
        threads = std::min(threads, max_threads());
        stop();
        {
            std::lock_guard lock(mutex_);
            stopping_ = false;
        }
        try {
            for (unsigned t = 1; t < threads; ++t) workers_.emplace_back([this] { work(); });
        } catch (const std::system_error& e) {
            const std::size_t started = workers_.size() + 1;
            stop();
            {
                std::lock_guard lock(mutex_);
                stopping_ = false;
            }
            throw resource_error("cannot start " + std::to_string(threads) + " threads (started " +
                                 std::to_string(started) + "): " + e.what());
        }
    }

    // Calls body(i) for i in [begin, end), grain indices at a time; rethrows the first exception.
    template <class F>
    void parallel_for(std::size_t begin, std::size_t end, F&& body, std::size_t grain = 1) {
        if (begin >= end) return;
        grain = std::max<std::size_t>(grain, 1);
        if (workers_.empty() || inside_ || end - begin <= grain) {
            for (std::size_t i = begin; i < end; ++i) body(i);
            return;
        }
        std::lock_guard serial(submit_);  // one parallel region at a time; others wait their turn
        job j;
        j.next = begin;
        j.end = end;
        j.grain = grain;
        j.body = [&body](std::size_t i) { body(i); };
        {
            std::lock_guard lock(mutex_);
            job_ = &j;
            ++generation_;
        }
        wake_.notify_all();
        run(j);
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return j.active == 0 && j.next >= j.end; });
        job_ = nullptr;
        lock.unlock();
        if (j.failure) std::rethrow_exception(j.failure);
    }

private:
    struct job {
        std::atomic<std::size_t> next{0};
        std::size_t end = 0, grain = 1;
        std::function<void(std::size_t)> body;
        std::atomic<int> active{0};
        std::mutex failure_mutex;
        std::exception_ptr failure;
    };

    static inline thread_local bool inside_ = false;

    void run(job& j) {
        inside_ = true;
        for (;;) {
            std::size_t first = j.next.fetch_add(j.grain);
            if (first >= j.end) break;
            std::size_t last = std::min(first + j.grain, j.end);
            try {
                for (std::size_t i = first; i < last; ++i) j.body(i);
            } catch (...) {
                std::lock_guard lock(j.failure_mutex);
                if (!j.failure) j.failure = std::current_exception();
                j.next.store(j.end);  // stop handing out work
            }
        }
        inside_ = false;
    }

    void work() {
        std::size_t seen = 0;
        for (;;) {
            job* j = nullptr;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return stopping_ || (job_ && generation_ != seen); });
                if (stopping_) return;
                seen = generation_;
                j = job_;
                ++j->active;
            }
            run(*j);
            {
                std::lock_guard lock(mutex_);
                --j->active;
            }
            done_.notify_all();
        }
    }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& w : workers_) w.join();
        workers_.clear();
    }

    std::vector<std::thread> workers_;
    std::mutex mutex_, submit_;
    std::condition_variable wake_, done_;
    job* job_ = nullptr;
    std::size_t generation_ = 0;
    bool stopping_ = false;
};

// The pool every xddp stage uses.
inline thread_pool& default_thread_pool() {
    static thread_pool pool;
    return pool;
}

template <class F>
void parallel_for(std::size_t begin, std::size_t end, F&& body, std::size_t grain = 1) {
    default_thread_pool().parallel_for(begin, end, std::forward<F>(body), grain);
}

}  // namespace xddp
