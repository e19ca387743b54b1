#pragma once
// The SIMD layer of the host kernels: every level of core/simd_level.hpp compiled into one program.
//
// A header-only library cannot give each instruction set its own translation unit, so each level's code
// carries GCC/Clang target attributes instead: simd/sse2.hpp, simd/avx2.hpp and simd/avx512.hpp each define
// a namespace (xddp::kernels::host::sse2, ...) with the level's vector type `vec`, `lanes`, and the few
// operations the kernels need (load, store, broadcast, fma), every function marked with the level's
// attribute. A kernel's vector part is written once, in level/<kernel>.hpp, and included into each of those
// namespaces by simd/for_each_level.hpp with XDDP_TARGET set to the level's attribute; the kernel's public
// function (kernels/host/<kernel>.hpp) picks the namespace for the level it is given. The attribute must be
// on every function that holds vector code: GCC and Clang inline a callee into a caller only when the
// caller has all of the callee's instructions, and Clang rejects intrinsics in any function without them.
// (xsimd's batches cannot do this: they exist only for the instruction sets the whole program targets.)

#include <cstddef>
#include <new>
#include <vector>

#include "xddp/core/simd_level.hpp"
#include "xddp/kernels/host/simd/target.hpp"

namespace xddp::kernels::host::simd {

// Allocates 64-byte aligned storage: aligned loads of every level, and no cache line shared between threads.
template <class T>
struct aligned_allocator {
    using value_type = T;
    static constexpr std::align_val_t alignment{64};
    aligned_allocator() = default;
    template <class U>
    aligned_allocator(const aligned_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, alignment); }
    template <class U>
    bool operator==(const aligned_allocator<U>&) const noexcept { return true; }
};

template <class T>
using aligned_vector = std::vector<T, aligned_allocator<T>>;

// A thread's scratch buffer of at least `size` floats, 64-byte aligned, reused across calls (its contents are
// not kept: callers overwrite what they read). Each tag type gets its own buffer.
template <class Tag>
float* scratch(std::size_t size) {
    static thread_local aligned_vector<float> buffer;
    if (buffer.size() < size) buffer.resize(size);
    return buffer.data();
}

}  // namespace xddp::kernels::host::simd

#if XDDP_SIMD_KERNELS
#include "xddp/kernels/host/simd/avx2.hpp"
#include "xddp/kernels/host/simd/avx512.hpp"
#include "xddp/kernels/host/simd/sse2.hpp"
#endif
