#pragma once
// The selection rule of DeepDataProfiler (specs/ddp.md section 2) and its two variants, computed the way
// DDP's float32 PyTorch code decides them, so thresholds fall on the same side as in the golden files:
//  - scores are sorted descending, equal scores in index order (a total order, so a partial sort that only
//    orders the accepted prefix gives exactly the entries a full stable sort gives);
//  - the cumulative sum is torch.cumsum on the CPU: a sequential sum in a double accumulator, each partial
//    sum rounded to float (ATen's cumsum accumulates float in at::acc_type<float, false> = double);
//  - ratios, goals and weights are float32 arithmetic, the threshold is compared as a float.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace xddp {

// One accepted candidate: its position among the candidate values and its weight.
struct selected {
    std::size_t position;
    float weight;
};

// Buffers the selection functions reuse between calls. Not shared between threads.
struct selection_scratch {
    std::vector<std::uint32_t> order;
    std::vector<float> cumulative;
};

namespace detail::profiles {

// Orders candidate positions so that order[0, sorted) holds the largest values, descending, ties by
// position. The prefix grows on demand; the remaining positions stay unordered.
class descending_prefix {
public:
    descending_prefix(std::span<const float> values, std::vector<std::uint32_t>& order)
        : values_(values.data()), order_(order), n_(values.size()) {
        order_.resize(n_);
        for (std::size_t i = 0; i < n_; ++i) order_[i] = static_cast<std::uint32_t>(i);
    }

    // Makes order[0, count) the sorted prefix.
    void ensure(std::size_t count) {
        if (count <= sorted_) return;
        std::size_t m = std::max({count, 2 * sorted_, std::size_t{32}});
        const auto cmp = [v = values_](std::uint32_t a, std::uint32_t b) {
            return v[a] > v[b] || (v[a] == v[b] && a < b);
        };
        // Past a quarter of the rest, a plain sort beats repeated heap selection.
        if (m >= n_ || 4 * (m - sorted_) >= n_ - sorted_) {
            std::sort(order_.begin() + static_cast<std::ptrdiff_t>(sorted_), order_.end(), cmp);
            sorted_ = n_;
        } else {
            std::partial_sort(order_.begin() + static_cast<std::ptrdiff_t>(sorted_),
                              order_.begin() + static_cast<std::ptrdiff_t>(m), order_.end(), cmp);
            sorted_ = m;
        }
    }

    std::uint32_t operator[](std::size_t k) {
        ensure(k + 1);
        return order_[k];
    }

private:
    const float* values_;
    std::vector<std::uint32_t>& order_;
    std::size_t n_;
    std::size_t sorted_ = 0;
};

// Accepted entries 0..a of the sorted order, weight value / last; zero weights dropped.
inline void emit_weights(std::span<const float> values, const std::vector<std::uint32_t>& order, std::size_t a,
                         float last, std::vector<selected>& out) {
    for (std::size_t k = 0; k <= a; ++k) {
        const std::uint32_t p = order[k];
        const float w = values[p] / last;
        if (w != 0.0f) out.push_back({p, w});
    }
}

}  // namespace detail::profiles

// SELECT(v, threshold, clip = v.size()) for non-negative scores: a = number of sorted entries whose
// cs / cs_last <= threshold; a -= 1 if a reaches the number of candidates; accept entries 0..a with weight
// value / cs[a]; drop zero weights. Appends nothing if no score is positive (DDP would divide by zero).
// Results are in sorted order (descending value).
inline void cumulative_select(std::span<const float> values, double threshold, std::vector<selected>& out,
                              selection_scratch& scratch) {
    out.clear();
    const std::size_t n = values.size();
    if (n == 0) return;
    double total = 0.0;
    for (float v : values) total += v;
    const float last = static_cast<float>(total);
    if (!(last > 0.0f)) return;
    const float thr = static_cast<float>(threshold);
    detail::profiles::descending_prefix order(values, scratch.order);
    std::size_t a = 0;
    float cs_a = 0.0f;
    if (thr >= 1.0f) {  // every ratio passes: all candidates, normalised by the total
        order.ensure(n);
        a = n - 1;
        cs_a = last;
    } else {
        // Non-negative scores make cs non-decreasing, so the entries that pass form a prefix.
        double acc = 0.0;
        for (;;) {
            acc += values[order[a]];
            cs_a = static_cast<float>(acc);
            if (!(cs_a / last <= thr)) break;
            if (++a == n) {
                a = n - 1;
                break;
            }
        }
    }
    detail::profiles::emit_weights(values, scratch.order, a, cs_a, out);
}

// The linear layer's variant: non-negative products z, goal = threshold * y[o] (float), bias = b[o] (0
// without bias); a = number of sorted entries with cs + bias <= goal; a -= 1 if a reaches the number of
// candidates; accept 0..a, weight = value / cs[a]; zeros dropped. Nothing if cs[a] is 0.
inline void cumulative_select_biased(std::span<const float> values, float goal, float bias,
                                     std::vector<selected>& out, selection_scratch& scratch) {
    out.clear();
    const std::size_t n = values.size();
    if (n == 0) return;
    detail::profiles::descending_prefix order(values, scratch.order);
    std::size_t a = 0;
    float cs_a = 0.0f;
    double acc = 0.0;
    for (;;) {
        acc += values[order[a]];
        cs_a = static_cast<float>(acc);
        if (!(cs_a + bias <= goal)) break;
        if (++a == n) {
            a = n - 1;
            break;
        }
    }
    if (!(cs_a > 0.0f)) return;
    detail::profiles::emit_weights(values, scratch.order, a, cs_a, out);
}

// The element conv variant for signed products: goals = cs / cs_last with cs_last the full signed sum;
// a = number of goals <= threshold (cs is not monotone here, so this counts, it does not scan a prefix);
// a -= 1 if a reaches the number of candidates; accept 0..a, weight = value / cs[a]; zeros dropped.
// No contributors when cs_last <= 0 (the neuron is positive only through its bias) or cs[a] is 0.
inline void cumulative_select_signed(std::span<const float> values, double threshold, std::vector<selected>& out,
                                     selection_scratch& scratch) {
    out.clear();
    const std::size_t n = values.size();
    if (n == 0) return;
    detail::profiles::descending_prefix order(values, scratch.order);
    order.ensure(n);
    auto& cs = scratch.cumulative;
    cs.resize(n);
    double acc = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        acc += values[scratch.order[k]];
        cs[k] = static_cast<float>(acc);
    }
    const float last = cs[n - 1];
    if (!(last > 0.0f)) return;
    const float thr = static_cast<float>(threshold);
    std::size_t a = 0;
    for (std::size_t k = 0; k < n; ++k)
        if (cs[k] / last <= thr) ++a;
    if (a >= n) a = n - 1;
    if (cs[a] == 0.0f) return;
    detail::profiles::emit_weights(values, scratch.order, a, cs[a], out);
}

// Convenience overloads with their own scratch buffers.
inline std::vector<selected> cumulative_select(std::span<const float> values, double threshold) {
    std::vector<selected> out;
    selection_scratch s;
    cumulative_select(values, threshold, out, s);
    return out;
}
inline std::vector<selected> cumulative_select_biased(std::span<const float> values, float goal, float bias) {
    std::vector<selected> out;
    selection_scratch s;
    cumulative_select_biased(values, goal, bias, out, s);
    return out;
}
inline std::vector<selected> cumulative_select_signed(std::span<const float> values, double threshold) {
    std::vector<selected> out;
    selection_scratch s;
    cumulative_select_signed(values, threshold, out, s);
    return out;
}

}  // namespace xddp
