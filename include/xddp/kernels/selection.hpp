#pragma once
// The selection rule of specs/ddp.md section 2 and its two variants, written once for the host
// (profile/selection.hpp) and the device kernels (kernels/device/selection.hpp): where the accepted prefix
// of the descending-sorted candidates ends, decided the way DeepDataProfiler's float32 PyTorch code decides
// it, so thresholds fall on the same side as in the golden files:
//  - the cumulative sum is torch.cumsum on the CPU: a sequential sum in a double accumulator, each partial
//    sum rounded to float;
//  - ratios, goals and weights are float32 arithmetic, the threshold is compared as a float; products and
//    sums that decide go through exact_mul / exact_add (never fused into an FMA on the device).
//
// `sorted(k)` gives the k-th largest candidate (equal values in index order); it is asked for k in
// increasing order only as far as the decision needs, so a caller may sort lazily. Each function returns
// whether anything is accepted and, if so, the cut: accept sorted entries 0..last, weight value / cs.

#include <cstddef>

#include "xddp/config.hpp"
#include "xddp/kernels/arithmetic.hpp"

namespace xddp::kernels {

struct selection_cut {
    std::size_t last = 0;  // index of the last accepted sorted entry
    float cs = 0.0f;       // the cumulative sum there: the weights' divisor
};

// SELECT(v, threshold, clip = n) for non-negative scores summing to `total` (summed in index order, in a
// double, rounded to float): the entries whose cs / total <= threshold, plus one; all if threshold >= 1.
// Nothing if total is not positive.
#if defined(__CUDACC__)
#pragma nv_exec_check_disable  // instantiated with host-only callables by the host rules
#endif
template <class Sorted>
XDDP_HOST_DEVICE bool cut_cumulative(Sorted&& sorted, std::size_t n, float total, float threshold, selection_cut& cut) {
    if (n == 0 || !(total > 0.0f)) return false;
    if (threshold >= 1.0f) {  // every ratio passes: all candidates, normalised by the total
        cut = {n - 1, total};
        return true;
    }
    // Non-negative scores make cs non-decreasing, so the entries that pass form a prefix.
    double acc = 0.0;
    std::size_t a = 0;
    float cs = 0.0f;
    for (;;) {
        acc += sorted(a);
        cs = static_cast<float>(acc);
        if (!(cs / total <= threshold)) break;
        if (++a == n) {
            a = n - 1;
            break;
        }
    }
    cut = {a, cs};
    return true;
}

// The linear layer's variant for non-negative products: entries while cs + bias <= goal (goal =
// threshold * y[o]), plus one, at most all. Nothing if the cut's cs is not positive.
#if defined(__CUDACC__)
#pragma nv_exec_check_disable  // instantiated with host-only callables by the host rules
#endif
template <class Sorted>
XDDP_HOST_DEVICE bool cut_biased(Sorted&& sorted, std::size_t n, float goal, float bias, selection_cut& cut) {
    if (n == 0) return false;
    double acc = 0.0;
    std::size_t a = 0;
    float cs = 0.0f;
    for (;;) {
        acc += sorted(a);
        cs = static_cast<float>(acc);
        if (!(exact_add(cs, bias) <= goal)) break;
        if (++a == n) {
            a = n - 1;
            break;
        }
    }
    if (!(cs > 0.0f)) return false;
    cut = {a, cs};
    return true;
}

// The element conv variant for signed products: a = number of k with cs[k] / cs[n-1] <= threshold (cs is
// not monotone here, so this counts, it does not scan a prefix), at most n - 1. Nothing when cs[n-1] <= 0
// (the neuron is positive only through its bias) or cs[a] is 0.
#if defined(__CUDACC__)
#pragma nv_exec_check_disable  // instantiated with host-only callables by the host rules
#endif
template <class Sorted>
XDDP_HOST_DEVICE bool cut_signed(Sorted&& sorted, std::size_t n, float threshold, selection_cut& cut) {
    if (n == 0) return false;
    double acc = 0.0;
    for (std::size_t k = 0; k < n; ++k) acc += sorted(k);
    const float last = static_cast<float>(acc);
    if (!(last > 0.0f)) return false;
    std::size_t a = 0;
    acc = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        acc += sorted(k);
        if (static_cast<float>(acc) / last <= threshold) ++a;
    }
    if (a >= n) a = n - 1;
    acc = 0.0;
    for (std::size_t k = 0; k <= a; ++k) acc += sorted(k);
    const float cs = static_cast<float>(acc);
    if (cs == 0.0f) return false;
    cut = {a, cs};
    return true;
}

}  // namespace xddp::kernels
