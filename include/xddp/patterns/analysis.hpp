#pragma once
// pattern_analysis: everything the "When Explanations Lie" analysis says about a model, from its pattern
// statistics: the patterns A of every kernel layer and the spectra of W, A and W (x) A.

#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "xddp/patterns/estimate.hpp"
#include "xddp/patterns/kind.hpp"
#include "xddp/patterns/statistics.hpp"
#include "xddp/patterns/svd_analysis.hpp"

namespace xddp {

struct pattern_analysis {
    std::string model;
    pattern_kind kind = pattern_kind::relu;
    std::size_t num_inputs = 0;
    std::vector<kernel_layer> layers;
    std::vector<layer_pattern> patterns;  // one per layer
    spectrum_analysis weights;            // W
    spectrum_analysis pattern_spectra;    // A
    spectrum_analysis filters;            // W (x) A
};

inline pattern_analysis analyse_patterns(const pattern_statistics& stats, pattern_kind kind, std::string model = "") {
    pattern_analysis a;
    a.model = std::move(model);
    a.kind = kind;
    a.num_inputs = stats.num_inputs;
    const auto layers = stats.layers();
    a.layers.assign(layers.begin(), layers.end());
    a.patterns = estimate_patterns(stats, kind);
    std::vector<xt::xtensor<double, 2>> w, p, wa;
    for (std::size_t k = 0; k < layers.size(); ++k) {
        w.push_back(layers[k].weight);
        p.push_back(a.patterns[k].pattern);
        wa.push_back(layers[k].weight * a.patterns[k].pattern);
    }
    a.weights = analyse_spectrum(layers, w, "W");
    a.pattern_spectra = analyse_spectrum(layers, p, "A");
    a.filters = analyse_spectrum(layers, wa, "W*A");
    return a;
}

}  // namespace xddp
