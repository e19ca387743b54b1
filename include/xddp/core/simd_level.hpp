#pragma once
// SIMD levels: which instruction set the host kernels (kernels/host/) run with. Every level's kernels are
// compiled into every program that includes xddp, whatever its compiler flags; the best one the running CPU
// supports is chosen the first time a kernel runs, so a plain Release build is as fast as a -march=native one
// and a binary built on one machine runs on another.
//
//   xddp::active_simd_level()          // the level the kernels use now
//   xddp::set_simd_level(xddp::simd_level::sse2);  // force a lower one (tests, comparisons, MPI ranks agreeing)
//   XDDP_SIMD=avx2 ./program           // the same from the environment, read on first use
//
// Levels give the same results to rounding, not to the bit: avx2 and avx512 fuse multiply and add (one
// rounding), sse2 and scalar do not, and each level sums a dot product in its own lane order. Within one
// level the bits do not depend on the batch, the thread count or the process.

#include <array>
#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/error.hpp"

// Whether this compiler and target get the vector kernels: x86-64 with GCC or Clang, whose target attributes
// let one translation unit hold code for several instruction sets. Elsewhere only the scalar level exists.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define XDDP_SIMD_KERNELS 1
#else
#define XDDP_SIMD_KERNELS 0
#endif

namespace xddp {

// Ordered: each level's kernels need the instructions of the levels below it, so the lowest level every
// machine of a job supports is min() of their best levels.
enum class simd_level {
    scalar,  // portable C++ and BLAS, no vector kernels
    sse2,    // 4 floats per vector, separate multiply and add (every x86-64 CPU)
    avx2,    // 8 floats, AVX2 + FMA
    avx512,  // 16 floats, AVX-512 F, VL, BW and DQ (with AVX2 + FMA)
};

inline constexpr std::array<simd_level, 4> all_simd_levels{simd_level::scalar, simd_level::sse2, simd_level::avx2,
                                                          simd_level::avx512};

// The level's name, as XDDP_SIMD and parse_simd_level spell it.
constexpr std::string_view to_string(simd_level level) noexcept {
    switch (level) {
        case simd_level::scalar: return "scalar";
        case simd_level::sse2: return "sse2";
        case simd_level::avx2: return "avx2";
        case simd_level::avx512: return "avx512";
    }
    return "unknown";
}

// The level named `name` ("scalar", "sse2", "avx2", "avx512"); value_error for any other name.
inline simd_level parse_simd_level(std::string_view name) {
    for (const simd_level level : all_simd_levels)
        if (to_string(level) == name) return level;
    throw value_error("unknown SIMD level '" + std::string(name) + "': expected scalar, sse2, avx2 or avx512");
}

namespace detail::simd_levels {

// What the CPU lacks for this level, in words; empty when it has it all. The compiler's runtime checks read
// cpuid once and also ask the OS whether it saves the wide registers (XGETBV).
inline std::string missing_instructions(simd_level level) {
#if XDDP_SIMD_KERNELS
    __builtin_cpu_init();
    std::string missing;
    const auto need = [&](bool has, const char* name) {
        if (!has) missing += missing.empty() ? name : std::string(", ") + name;
    };
    switch (level) {
        case simd_level::scalar: break;
        case simd_level::sse2: need(__builtin_cpu_supports("sse2"), "SSE2"); break;
        case simd_level::avx512:
            need(__builtin_cpu_supports("avx512f"), "AVX-512F");
            need(__builtin_cpu_supports("avx512vl"), "AVX-512VL");
            need(__builtin_cpu_supports("avx512bw"), "AVX-512BW");
            need(__builtin_cpu_supports("avx512dq"), "AVX-512DQ");
            [[fallthrough]];
        case simd_level::avx2:
            need(__builtin_cpu_supports("avx2"), "AVX2");
            need(__builtin_cpu_supports("fma"), "FMA");
            break;
    }
    return missing;
#else
    return level == simd_level::scalar ? std::string() : std::string("vector kernels (this build has them only for x86 with GCC or Clang)");
#endif
}

inline const std::vector<simd_level>& supported() {
    static const std::vector<simd_level> levels = [] {
        std::vector<simd_level> out;
        for (const simd_level level : all_simd_levels)
            if (missing_instructions(level).empty()) out.push_back(level);
        return out;
    }();
    return levels;
}

inline std::string supported_names() {
    std::string names;
    for (const simd_level level : supported()) names += (names.empty() ? "" : ", ") + std::string(to_string(level));
    return names;
}

// The level in use, or -1 before the first use (then XDDP_SIMD or the best level decides).
inline std::atomic<int> active{-1};

// value_error naming the level, what the CPU lacks and the levels it has; `what` says who asked for it.
inline void check_supported(simd_level level, const std::string& what) {
    const std::string missing = missing_instructions(level);
    if (!missing.empty())
        throw value_error(what + ": this CPU lacks " + missing + " for SIMD level " + std::string(to_string(level)) +
                          "; its levels are " + supported_names());
}

}  // namespace detail::simd_levels

// The levels this CPU (and this build) can run, lowest first; always holds scalar.
inline std::vector<simd_level> supported_simd_levels() { return detail::simd_levels::supported(); }

// The highest level this CPU can run.
inline simd_level best_simd_level() { return detail::simd_levels::supported().back(); }

// Makes every later kernel call run at `level`, from any thread (calls already running finish at theirs).
// value_error if the CPU cannot run it, naming what it lacks and the levels it has.
inline void set_simd_level(simd_level level) {
    detail::simd_levels::check_supported(level, "set_simd_level(" + std::string(to_string(level)) + ")");
    detail::simd_levels::active.store(static_cast<int>(level), std::memory_order_relaxed);
}

// The level the kernels run at: set_simd_level's, else the environment's XDDP_SIMD (read on first use), else
// the best. An XDDP_SIMD this CPU cannot run, or that names no level, is a value_error at every use.
inline simd_level active_simd_level() {
    const int level = detail::simd_levels::active.load(std::memory_order_relaxed);
    if (level >= 0) return static_cast<simd_level>(level);
    simd_level chosen = best_simd_level();
    if (const char* env = std::getenv("XDDP_SIMD"); env && *env) {
        try {
            chosen = parse_simd_level(env);
        } catch (const value_error& e) {
            throw value_error(std::string("XDDP_SIMD=") + env + ": " + e.what());
        }
        detail::simd_levels::check_supported(chosen, std::string("XDDP_SIMD=") + env);
    }
    int expected = -1;  // a set_simd_level that raced ahead wins
    detail::simd_levels::active.compare_exchange_strong(expected, static_cast<int>(chosen), std::memory_order_relaxed);
    return static_cast<simd_level>(detail::simd_levels::active.load(std::memory_order_relaxed));
}

}  // namespace xddp
