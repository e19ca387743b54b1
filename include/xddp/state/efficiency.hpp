#pragma once
// State-space metrics (specs/tensorstate.md "Metrics"): Renyi entropy of a layer's state counts, layer
// efficiency, network efficiency (geometric mean) and aIQ. Everything works from a count_histogram (how
// many distinct states were seen how often), so a sum never depends on the order states were counted in:
// the same counts give bit-identical metrics whatever the thread count or batch size.
//
// Where TensorState returns NaN, xddp returns the limit or a defined value instead (each noted below), so
// a NaN never reaches a report.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"

namespace xddp {

// How many distinct states were seen how often: bins of (count, multiplicity), ascending by count.
// A layer where 3 states were seen once and 1 state twice has bins {(1, 3), (2, 1)}.
struct count_histogram {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> bins;

    // From per-state counts in any order; zero counts are ignored (a state not seen is not a state).
    static count_histogram from_counts(std::span<const std::uint64_t> counts) {
        std::vector<std::uint64_t> sorted(counts.begin(), counts.end());
        std::sort(sorted.begin(), sorted.end());
        count_histogram h;
        for (std::uint64_t c : sorted) {
            if (c == 0) continue;
            if (h.bins.empty() || h.bins.back().first != c) h.bins.emplace_back(c, 0);
            ++h.bins.back().second;
        }
        return h;
    }

    // Number of states seen, repeats included (TensorState's state_count).
    std::uint64_t states() const noexcept {
        std::uint64_t n = 0;
        for (auto [c, m] : bins) n += c * m;
        return n;
    }
    // Number of distinct states.
    std::uint64_t distinct() const noexcept {
        std::uint64_t n = 0;
        for (auto [c, m] : bins) n += m;
        return n;
    }
    // The count of the most frequent state; 0 when nothing was seen.
    std::uint64_t max_count() const noexcept { return bins.empty() ? 0 : bins.back().first; }
};

namespace detail::states {

inline void check_alpha(double alpha, const char* what) {
    if (std::isnan(alpha) || alpha < 0)
        throw value_error(std::string(what) + ": Renyi order alpha = " + number_text(alpha) +
                          " is out of its domain; expected alpha >= 0 (0 = log2 of the distinct states, 1 = Shannon, "
                          "inf = min-entropy)");
}

}  // namespace detail::states

// Renyi entropy in bits of the state distribution p = counts / states:
//   alpha = 1:   H = -sum p log2 p (Shannon)
//   otherwise:   H = log2(sum p^alpha) / (1 - alpha)   (alpha = 0: log2 of the number of distinct states)
//   alpha = inf: H = -log2 max p, the limit (TensorState's formula gives NaN there)
// No states: 0. One distinct state: 0 (-0.0 for alpha > 1, as the formula and TensorState give).
inline double renyi_entropy(const count_histogram& h, double alpha = 1.0) {
    detail::states::check_alpha(alpha, "renyi_entropy");
    const std::uint64_t total = h.states();
    if (total == 0) return 0.0;
    const double n = static_cast<double>(total);
    if (alpha == 1.0) {
        double sum = 0.0;
        for (auto [c, m] : h.bins) {
            const double p = static_cast<double>(c) / n;
            sum -= static_cast<double>(m) * (p * std::log2(p));
        }
        return sum;
    }
    if (std::isinf(alpha)) return -std::log2(static_cast<double>(h.max_count()) / n);
    double sum = 0.0;
    for (auto [c, m] : h.bins) sum += static_cast<double>(m) * std::pow(static_cast<double>(c) / n, alpha);
    return std::log2(sum) / (1.0 - alpha);
}

inline double renyi_entropy(std::span<const std::uint64_t> counts, double alpha = 1.0) {
    return renyi_entropy(count_histogram::from_counts(counts), alpha);
}

// Layer efficiency as TensorState defines it: entropy(alpha1) / neurons (the layer's maximum entropy is
// one bit per neuron), or with alpha2 given, entropy(alpha1) / entropy(alpha2), which needs alpha1 > alpha2.
// The ratio is 0 when entropy(alpha2) is 0 (a layer with one state or none; TensorState gives 0/0 = NaN).
inline double layer_efficiency(const count_histogram& h, std::size_t neurons, double alpha1 = 1.0,
                               std::optional<double> alpha2 = std::nullopt) {
    detail::states::check_alpha(alpha1, "layer_efficiency");
    if (alpha2) {
        detail::states::check_alpha(*alpha2, "layer_efficiency");
        if (!(alpha1 > *alpha2))
            throw value_error("layer_efficiency: alpha1 = " + std::to_string(alpha1) + " must be larger than alpha2 = " +
                              std::to_string(*alpha2) + " (the ratio entropy(alpha1) / entropy(alpha2) is then in [0, 1])");
        const double denominator = renyi_entropy(h, *alpha2);
        return denominator == 0.0 ? 0.0 : renyi_entropy(h, alpha1) / denominator;
    }
    if (neurons == 0) throw value_error("layer_efficiency: a layer needs at least one neuron");
    return renyi_entropy(h, alpha1) / static_cast<double>(neurons);
}

// Network efficiency: the geometric mean exp(mean(ln e_i)) of the layer efficiencies; 0 if any layer's is
// 0 (a dead layer). An empty list is a value_error (TensorState returns None), as are negative or NaN values.
inline double network_efficiency(std::span<const double> efficiencies) {
    if (efficiencies.empty())
        throw value_error("network_efficiency: no layer efficiencies given; capture at least one layer");
    double log_sum = 0.0;
    bool dead = false;
    for (std::size_t i = 0; i < efficiencies.size(); ++i) {
        const double e = efficiencies[i];
        if (!(e >= 0.0) || std::isinf(e))
            throw value_error("network_efficiency: efficiency " + std::to_string(i) + " is " + std::to_string(e) +
                              "; expected a finite value >= 0");
        if (e == 0.0) dead = true;
        else log_sum += std::log(e);
    }
    if (dead) return 0.0;
    return std::exp(log_sum / static_cast<double>(efficiencies.size()));
}

inline double network_efficiency(std::initializer_list<double> efficiencies) {
    return network_efficiency(std::span<const double>(efficiencies.begin(), efficiencies.size()));
}

// Artificial intelligence quotient: (network_efficiency * accuracy^beta)^(1 / (beta + 1)), beta a positive
// integer weighting accuracy over efficiency (the TensorState tutorial uses 2); both inputs in [0, 1].
inline double aiq(double network_efficiency, double accuracy, int beta = 2) {
    if (beta <= 0) throw value_error("aiq: beta = " + std::to_string(beta) + "; expected an integer greater than 0");
    if (!(network_efficiency >= 0.0 && network_efficiency <= 1.0))
        throw value_error("aiq: network efficiency " + std::to_string(network_efficiency) + " is outside [0, 1]");
    if (!(accuracy >= 0.0 && accuracy <= 1.0))
        throw value_error("aiq: accuracy " + std::to_string(accuracy) + " is outside [0, 1]");
    // In logs: accuracy^beta underflows to 0 long before the root would bring it back (beta = 1000), and
    // beta + 1 overflows an int at INT_MAX.
    if (network_efficiency == 0.0 || accuracy == 0.0) return 0.0;
    const double b = static_cast<double>(beta);
    return std::exp((std::log(network_efficiency) + b * std::log(accuracy)) / (b + 1.0));
}

}  // namespace xddp
