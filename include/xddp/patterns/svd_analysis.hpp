#pragma once
// The SVD analysis of Sixt et al., "When Explanations Lie" (specs/patterns.md "SVD analysis"), with
// xtensor-blas (LAPACK gesdd, numpy's convention M = u diag(s) vh):
//   - per layer, the singular values of the matrix view (kh*kw*cin, cout) and of the 1x1 view (the
//     kernel's centre tap, cin x cout; a linear layer after a flatten of (H, W, C): its centre [H/2, W/2]),
//     and sigma1 / sigma2 of each;
//   - per pair of consecutive layers, the chain matrix
//       C_l = diag_pad(sqrt(s_l)) vh_l u_{l+1} diag_pad(sqrt(s_{l+1}))     (1x1 views, full matrices)
//     whose spectrum says how much the two layers together favour one direction (singular values below
//     numpy's rank tolerance max(m, n) eps s1 count as 0 there); its singular values,
//     sigma1 / sigma2, and the product of the ratios along the chain;
//   - the singular values of the product of the 1x1 views from the second layer on.
// Singular vectors are sign-ambiguous: compare singular values, and chain matrices only in absolute value.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "xddp/core/error.hpp"
#include "xddp/patterns/network.hpp"

namespace xddp {

// The singular values of m, descending.
inline xt::xtensor<double, 1> singular_values(const xt::xtensor<double, 2>& m) {
    if (m.size() == 0) return xt::xtensor<double, 1>::from_shape({0});
    auto [u, s, vt] = xt::linalg::svd(m, false, false);
    xt::xtensor<double, 1> out = s;
    return out;
}

// sigma1 / sigma2: +inf when sigma2 is 0 and sigma1 is not, NaN with fewer than two singular values.
inline double spectral_ratio(const xt::xtensor<double, 1>& s) {
    if (s.size() < 2) return std::numeric_limits<double>::quiet_NaN();
    return s(0) / s(1);
}

// The 1x1 view of a kernel layer's matrix (inputs x outputs): the rows of the kernel's centre tap.
inline xt::xtensor<double, 2> one_by_one_view(const kernel_layer& layer, const xt::xtensor<double, 2>& m) {
    if (m.shape()[0] != layer.inputs() || m.shape()[1] != layer.outputs())
        throw shape_error("1x1 view of '" + layer.name + "': matrix " + to_string(shape_t(m.shape().begin(), m.shape().end())) +
                          ", expected " + to_string({layer.inputs(), layer.outputs()}));
    std::size_t first = 0, count = layer.inputs();
    if (layer.kind == conv2d::kind) {
        const std::size_t kh = layer.kernel_shape[0], kw = layer.kernel_shape[1], cin = layer.kernel_shape[2];
        first = ((kh / 2) * kw + kw / 2) * cin;
        count = cin;
    } else if (layer.flatten_source) {
        const auto [h, w, c] = *layer.flatten_source;
        first = ((h / 2) * w + w / 2) * c;
        count = c;
    }
    return xt::view(m, xt::range(first, first + count), xt::all());
}

// The chain matrix of two consecutive 1x1 views a (p x q) and b (q x r): q x q.
inline xt::xtensor<double, 2> chain_matrix(const xt::xtensor<double, 2>& a, const xt::xtensor<double, 2>& b) {
    if (a.shape()[1] != b.shape()[0])
        throw shape_error("chain matrix: the first layer has " + std::to_string(a.shape()[1]) +
                          " outputs, the second " + std::to_string(b.shape()[0]) + " inputs; they must match");
    auto [ua, sa, vha] = xt::linalg::svd(a, true, true);
    auto [ub, sb, vhb] = xt::linalg::svd(b, true, true);
    // A singular value that is zero but for rounding (a dead neuron's zero pattern column) would enter as
    // sqrt(1e-17) ~ 3e-9, a size set by the LAPACK build alone; below numpy's rank tolerance it counts as 0.
    auto rank_cut = [](auto& s, std::size_t m, std::size_t n) {
        if (s.size() == 0) return;
        const double tol = static_cast<double>(std::max(m, n)) * std::numeric_limits<double>::epsilon() * s(0);
        for (auto& v : s)
            if (v <= tol) v = 0.0;
    };
    rank_cut(sa, a.shape()[0], a.shape()[1]);
    rank_cut(sb, b.shape()[0], b.shape()[1]);
    const std::size_t q = a.shape()[1];
    xt::xtensor<double, 2> left = vha, right = ub;  // q x q each
    for (std::size_t i = 0; i < q; ++i) {
        const double di = i < std::min(a.shape()[0], q) ? std::sqrt(sa(i)) : 0.0;
        for (std::size_t j = 0; j < q; ++j) left(i, j) *= di;
    }
    for (std::size_t j = 0; j < q; ++j) {
        const double dj = j < std::min(q, b.shape()[1]) ? std::sqrt(sb(j)) : 0.0;
        for (std::size_t i = 0; i < q; ++i) right(i, j) *= dj;
    }
    return xt::linalg::dot(left, right);
}

struct layer_spectrum {
    std::string name;
    xt::xtensor<double, 1> matrix_values;  // singular values of the matrix view
    xt::xtensor<double, 1> one_by_one_values;
    double matrix_ratio = 0, one_by_one_ratio = 0;
};

struct chain_spectrum {
    std::string from, to;
    xt::xtensor<double, 2> matrix;
    xt::xtensor<double, 1> values;
    double ratio = 0;
};

// The analysis of one set of matrices (W, A or W (x) A) over a model's kernel layers.
struct spectrum_analysis {
    std::string label;
    std::vector<layer_spectrum> layers;
    std::vector<chain_spectrum> chain;
    double one_by_one_ratio_product = 1, chain_ratio_product = 1;
    xt::xtensor<double, 1> product_values;  // of the product of the 1x1 views from the second layer on
    double product_ratio = 0;
};

// matrices: one (inputs x outputs) matrix per kernel layer.
inline spectrum_analysis analyse_spectrum(std::span<const kernel_layer> layers,
                                          std::span<const xt::xtensor<double, 2>> matrices, std::string label) {
    if (layers.size() != matrices.size())
        throw shape_error("spectrum analysis '" + label + "': " + std::to_string(matrices.size()) + " matrices for " +
                          std::to_string(layers.size()) + " layers");
    spectrum_analysis a;
    a.label = std::move(label);
    std::vector<xt::xtensor<double, 2>> views;
    for (std::size_t k = 0; k < layers.size(); ++k) {
        views.push_back(one_by_one_view(layers[k], matrices[k]));
        layer_spectrum s;
        s.name = layers[k].name;
        s.matrix_values = singular_values(matrices[k]);
        s.one_by_one_values = singular_values(views.back());
        s.matrix_ratio = spectral_ratio(s.matrix_values);
        s.one_by_one_ratio = spectral_ratio(s.one_by_one_values);
        a.one_by_one_ratio_product *= s.one_by_one_ratio;
        a.layers.push_back(std::move(s));
    }
    for (std::size_t k = 0; k + 1 < layers.size(); ++k) {
        chain_spectrum c;
        c.from = layers[k].name;
        c.to = layers[k + 1].name;
        try {
            c.matrix = chain_matrix(views[k], views[k + 1]);
        } catch (const shape_error& e) {
            throw shape_error("spectrum analysis: chain '" + c.from + "' -> '" + c.to + "': " + e.what());
        }
        c.values = singular_values(c.matrix);
        c.ratio = spectral_ratio(c.values);
        a.chain_ratio_product *= c.ratio;
        a.chain.push_back(std::move(c));
    }
    if (layers.size() >= 2) {
        xt::xtensor<double, 2> product = views[1];
        for (std::size_t k = 2; k < views.size(); ++k) product = xt::linalg::dot(product, views[k]);
        a.product_values = singular_values(product);
        a.product_ratio = spectral_ratio(a.product_values);
    } else {
        a.product_values = xt::xtensor<double, 1>::from_shape({0});
        a.product_ratio = std::numeric_limits<double>::quiet_NaN();
    }
    return a;
}

}  // namespace xddp
