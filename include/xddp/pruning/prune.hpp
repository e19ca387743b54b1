#pragma once
// Magnitude pruning of one weight tensor in place, with Distiller's exact rounding and tie rules
// (specs/metrics.md, "Pruning sensitivity"):
//   element (L1 magnitude): k = floor(s * numel) in double; threshold = the k-th smallest |w|;
//     keep |w| > threshold, so ties at the threshold are pruned; k = 0 prunes nothing.
//   filter (mean-L1 rank): score_f = mean |w_f| (a float32 running sum, as torch's reduction over a
//     filter row); n = floor(s * F), n = F - 1 if n == F and s != 1; threshold = the n-th smallest
//     score; filters with score <= threshold are zeroed; n = 0 prunes nothing.
// The detail (k, threshold, zeros after masking) is what Distiller would log, for exact comparisons.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"

namespace xddp {

enum class prune_mode { element, filter };

inline constexpr std::string_view to_string(prune_mode m) { return m == prune_mode::element ? "element" : "filter"; }

// What one pruning step did.
struct prune_detail {
    std::size_t k = 0;               // elements (element mode) or filters (filter mode) chosen for pruning
    std::optional<float> threshold;  // the k-th smallest |w| or score; empty when nothing was pruned
    std::size_t zeros = 0;           // zero elements in the tensor after masking
};

namespace detail {

inline std::string sparsity_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s);
    return buf;
}

inline void check_sparsity(double s, std::string_view who) {
    if (!(s >= 0.0 && s <= 1.0))
        throw value_error(std::string(who) + ": sparsity " + sparsity_text(s) + " is outside [0, 1]");
}

inline std::size_t count_zeros(std::span<const float> w) {
    return static_cast<std::size_t>(std::count(w.begin(), w.end(), 0.0f));
}

// The k-th smallest (1-based) of values, k >= 1; values is reordered.
inline float kth_smallest(std::vector<float>& values, std::size_t k) {
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k - 1), values.end());
    return values[k - 1];
}

}  // namespace detail

// Element-wise L1-magnitude pruning of w to sparsity s in [0, 1].
inline prune_detail prune_elements(std::span<float> w, double s) {
    detail::check_sparsity(s, "prune_elements");
    prune_detail d;
    // int(s * numel) in Python: the product in double, truncated.
    d.k = static_cast<std::size_t>(std::floor(s * static_cast<double>(w.size())));
    if (d.k > w.size()) d.k = w.size();
    if (d.k > 0) {
        std::vector<float> mags(w.size());
        std::transform(w.begin(), w.end(), mags.begin(), [](float v) { return std::fabs(v); });
        const float t = detail::kth_smallest(mags, d.k);
        d.threshold = t;
        for (float& v : w)
            if (!(std::fabs(v) > t)) v = 0.0f;
    }
    d.zeros = detail::count_zeros(w);
    return d;
}

// The mean-L1 score of each filter (row of shape[0]) as torch computes it in float32.
inline std::vector<float> filter_scores(std::span<const float> w, std::size_t filters) {
    if (filters == 0 || w.size() % filters != 0)
        throw shape_error("filter_scores: " + std::to_string(w.size()) + " elements do not split into " +
                          std::to_string(filters) + " filters");
    const std::size_t per = w.size() / filters;
    std::vector<float> scores(filters);
    for (std::size_t f = 0; f < filters; ++f) {
        float sum = 0.0f;
        const float* row = w.data() + f * per;
        for (std::size_t i = 0; i < per; ++i) sum += std::fabs(row[i]);
        scores[f] = sum / static_cast<float>(per);
    }
    return scores;
}

// Filter-wise mean-L1-rank pruning of a weight whose first dimension is the filters (PyTorch layout).
inline prune_detail prune_filters(std::span<float> w, std::size_t filters, double s) {
    detail::check_sparsity(s, "prune_filters");
    const std::vector<float> scores = filter_scores(w, filters);
    prune_detail d;
    d.k = static_cast<std::size_t>(std::floor(s * static_cast<double>(filters)));
    if (d.k > filters) d.k = filters;
    if (d.k == filters && s != 1.0) d.k = filters - 1;
    if (d.k > 0) {
        std::vector<float> sorted = scores;
        const float t = detail::kth_smallest(sorted, d.k);
        d.threshold = t;
        const std::size_t per = w.size() / filters;
        for (std::size_t f = 0; f < filters; ++f)
            if (!(scores[f] > t)) std::fill_n(w.data() + f * per, per, 0.0f);
    }
    d.zeros = detail::count_zeros(w);
    return d;
}

// Prunes w (shape in PyTorch layout) by mode; filter mode needs a rank-4 (conv) weight.
inline prune_detail prune(std::span<float> w, const shape_t& shape, prune_mode mode, double s) {
    if (element_count(shape) != w.size())
        throw shape_error("prune: shape " + to_string(shape) + " does not hold " + std::to_string(w.size()) +
                          " elements");
    if (mode == prune_mode::element) return prune_elements(w, s);
    if (shape.size() != 4)
        throw unsupported_error("prune: filter pruning needs a rank-4 convolution weight, got shape " +
                                to_string(shape));
    return prune_filters(w, shape[0], s);
}

}  // namespace xddp
