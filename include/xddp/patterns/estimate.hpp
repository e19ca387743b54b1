#pragma once
// Pattern estimation from a layer's moments (specs/patterns.md, iNNvestigate 1.0.8's estimator):
//   E_m[x] = sum_x / count, E_m[xy] = sum_xy / count (0 where count is 0), E[y] = sum_y / rows;
//   cov = E_m[xy] - E_m[x] E[y];  denominator_j = w_j . cov_j;  A = cov / (denominator + (denominator == 0)).
// The "safe divide" divides by 1 where a denominator is exactly 0, and by nothing else: no epsilon, and a
// negative denominator divides as it is. So diag(W^T A) = 1 wherever the denominator is not 0, and a dead
// neuron (count 0) or a zero weight column gives a zero pattern column.

#include <cstddef>
#include <string>

#include <xtensor/xtensor.hpp>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/patterns/kind.hpp"
#include "xddp/patterns/moments.hpp"

namespace xddp {

struct layer_pattern {
    pattern_kind kind = pattern_kind::relu;
    xt::xtensor<double, 2> pattern;        // A, (inputs x outputs) like the weight's matrix view
    xt::xtensor<double, 2> mean_x;         // E_m[x]
    xt::xtensor<double, 2> mean_xy;        // E_m[xy]
    xt::xtensor<double, 1> mean_y;         // E[y], unmasked
    xt::xtensor<double, 1> count;          // rows in each output's mask
    xt::xtensor<double, 1> denominator;    // w_j . cov_j
    std::size_t dead = 0;                  // outputs whose mask is empty
    std::size_t zero_denominators = 0;     // denominator exactly 0 (divided by 1)
    std::size_t negative_denominators = 0;
};

// The pattern of a layer with weight matrix w (inputs x outputs) from its moments.
inline layer_pattern estimate_pattern(const layer_moments& m, pattern_kind kind, const xt::xtensor<double, 2>& w,
                                      const std::string& layer = "layer") {
    const std::size_t in = m.inputs(), out = m.outputs();
    if (w.shape()[0] != in || w.shape()[1] != out)
        throw shape_error("estimate_pattern: '" + layer + "': weight matrix " +
                          to_string(shape_t(w.shape().begin(), w.shape().end())) + " does not fit moments of (" +
                          std::to_string(in) + ", " + std::to_string(out) + ")");
    if (m.rows() == 0) throw value_error("estimate_pattern: '" + layer + "' has seen no rows; feed inputs first");
    layer_pattern p;
    p.kind = kind;
    p.count = m.count(kind);
    p.mean_x = m.sum_x(kind);
    p.mean_xy = m.sum_xy(kind);
    p.mean_y = m.sum_y() / static_cast<double>(m.rows());
    p.pattern = xt::xtensor<double, 2>::from_shape({in, out});
    p.denominator = xt::xtensor<double, 1>::from_shape({out});
    for (std::size_t j = 0; j < out; ++j) {
        const double c = p.count(j);
        if (c == 0.0) ++p.dead;
        const double cd = c + (c == 0.0 ? 1.0 : 0.0);
        double denom = 0.0;
        for (std::size_t i = 0; i < in; ++i) {
            p.mean_x(i, j) /= cd;
            p.mean_xy(i, j) /= cd;
            const double cov = p.mean_xy(i, j) - p.mean_x(i, j) * p.mean_y(j);
            p.pattern(i, j) = cov;
            denom += w(i, j) * cov;
        }
        p.denominator(j) = denom;
        if (denom == 0.0) ++p.zero_denominators;
        if (denom < 0.0) ++p.negative_denominators;
        const double d = denom + (denom == 0.0 ? 1.0 : 0.0);
        for (std::size_t i = 0; i < in; ++i) p.pattern(i, j) /= d;
    }
    return p;
}

}  // namespace xddp
