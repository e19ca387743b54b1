#pragma once
// How much the class profiles of two classes overlap, and the matrix of it over all classes.
//
// A class profile adds the profiles of the class's inputs (profile::operator+=), so a neuron's count is the
// number of inputs for which it was influential. Over hundreds of inputs almost every neuron is influential
// for some input, and the plain set Jaccard (jaccard.hpp) of two class profiles tends to 1 for any pair.
// weighted_jaccard compares how much each neuron is influential instead: with f(n) = count(n) / inputs of
// the class (its mean count per input), it is sum_n min(fa(n), fb(n)) / sum_n max(fa(n), fb(n)) over the neurons of every layer (the
// Ruzicka similarity; for single-input profiles, where f is 0 or 1, it equals the set Jaccard). It is
// symmetric, 1 for a profile with itself, and 0 for profiles sharing no neuron.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/profile/profile.hpp"

namespace xddp {

inline double weighted_jaccard(const profile& a, const profile& b) {
    if (a.num_inputs == 0 || b.num_inputs == 0) return 0.0;
    const double na = static_cast<double>(a.num_inputs), nb = static_cast<double>(b.num_inputs);
    double shared = 0, either = 0;
    auto add = [&](double fa, double fb) { shared += std::min(fa, fb), either += std::max(fa, fb); };
    auto layer_sum = [&](const neuron_set* x, const neuron_set* y) {
        std::size_t i = 0, j = 0;
        const std::size_t nx = x ? x->index.size() : 0, ny = y ? y->index.size() : 0;
        while (i < nx || j < ny) {
            if (j == ny || (i < nx && x->index[i] < y->index[j])) add(static_cast<double>(x->count[i++]) / na, 0);
            else if (i == nx || y->index[j] < x->index[i]) add(0, static_cast<double>(y->count[j++]) / nb);
            else add(static_cast<double>(x->count[i++]) / na, static_cast<double>(y->count[j++]) / nb);
        }
    };
    for (const auto& l : a.layers) {
        const layer_profile* other = b.find(l.index);
        layer_sum(&l.neurons, other ? &other->neurons : nullptr);
    }
    for (const auto& l : b.layers)
        if (!a.find(l.index)) layer_sum(nullptr, &l.neurons);
    return either > 0 ? shared / either : 0.0;
}

// m[i][j] = weighted_jaccard(profiles[i], profiles[j]); symmetric by construction (each pair computed once).
inline std::vector<std::vector<double>> class_similarity_matrix(std::span<const profile> profiles) {
    const std::size_t n = profiles.size();
    std::vector<std::vector<double>> m(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i; j < n; ++j) m[i][j] = m[j][i] = weighted_jaccard(profiles[i], profiles[j]);
    return m;
}

}  // namespace xddp
