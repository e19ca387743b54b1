#pragma once
// The selection rule of DeepDataProfiler (specs/ddp.md section 2) and its two variants on the host: the
// decisions are kernels/selection.hpp's, shared with the device kernels; here the candidates are sorted
// descending, equal scores in index order (a total order, so a partial sort that only orders the accepted
// prefix gives exactly the entries a full stable sort gives), and the accepted entries emitted.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "xddp/kernels/selection.hpp"

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

namespace detail::profiles {

// Runs a cut of kernels/selection.hpp over `values` sorted lazily, and emits the accepted entries.
template <class Cut>
void select_with(std::span<const float> values, std::vector<selected>& out, selection_scratch& scratch, Cut&& cut_of) {
    out.clear();
    if (values.empty()) return;
    descending_prefix order(values, scratch.order);
    const auto sorted = [&](std::size_t k) { return values[order[k]]; };
    kernels::selection_cut cut;
    if (!cut_of(sorted, values.size(), cut)) return;
    order.ensure(cut.last + 1);
    emit_weights(values, scratch.order, cut.last, cut.cs, out);
}

}  // namespace detail::profiles

// SELECT(v, threshold, clip = v.size()) for non-negative scores (kernels::cut_cumulative). Appends nothing
// if no score is positive (DDP would divide by zero). Results are in sorted order (descending value).
inline void cumulative_select(std::span<const float> values, double threshold, std::vector<selected>& out,
                              selection_scratch& scratch) {
    double total = 0.0;
    for (float v : values) total += v;
    detail::profiles::select_with(values, out, scratch, [&](const auto& sorted, std::size_t n, kernels::selection_cut& cut) {
        return kernels::cut_cumulative(sorted, n, static_cast<float>(total), static_cast<float>(threshold), cut);
    });
}

// The linear layer's variant (kernels::cut_biased): non-negative products z, goal = threshold * y[o]
// (float), bias = b[o] (0 without bias).
inline void cumulative_select_biased(std::span<const float> values, float goal, float bias,
                                     std::vector<selected>& out, selection_scratch& scratch) {
    detail::profiles::select_with(values, out, scratch, [&](const auto& sorted, std::size_t n, kernels::selection_cut& cut) {
        return kernels::cut_biased(sorted, n, goal, bias, cut);
    });
}

// The element conv variant for signed products (kernels::cut_signed).
inline void cumulative_select_signed(std::span<const float> values, double threshold, std::vector<selected>& out,
                                     selection_scratch& scratch) {
    detail::profiles::select_with(values, out, scratch, [&](const auto& sorted, std::size_t n, kernels::selection_cut& cut) {
        return kernels::cut_signed(sorted, n, static_cast<float>(threshold), cut);
    });
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
