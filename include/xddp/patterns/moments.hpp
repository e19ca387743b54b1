#pragma once
// layer_moments: the sums PatternNet's estimator needs for one kernel layer, accumulated in double over any
// number of rows, for the three masks at once (specs/patterns.md "Pattern estimation"):
//   per output j and mask m in {1, [z > 0], [z <= 0]}, z = y + b:  count_j = sum m_j,
//   sum_x = X^T m_j,  sum_xy = X^T (y_j m_j),  and unmasked sum_y_j.
// One product per add(): X^T [1 | y | m | y m | 1-m | y (1-m)], every sum over rows in row order
// (patterns/products.hpp). Sums are divided once, at estimation.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "xddp/core/error.hpp"
#include "xddp/core/parallel_for.hpp"
#include "xddp/patterns/kind.hpp"
#include "xddp/patterns/products.hpp"

namespace xddp {

class layer_moments {
public:
    layer_moments() = default;
    layer_moments(std::size_t inputs, std::vector<double> bias)
        : inputs_(inputs), outputs_(bias.size()), bias_(std::move(bias)),
          sums_(xt::zeros<double>({inputs, columns()})), count_relu_(outputs_, 0.0), sum_y_(outputs_, 0.0) {
        if (inputs == 0 || outputs_ == 0) throw shape_error("layer_moments: inputs and outputs must be positive");
    }

    std::size_t inputs() const noexcept { return inputs_; }
    std::size_t outputs() const noexcept { return outputs_; }
    std::size_t rows() const noexcept { return rows_; }
    const std::vector<double>& bias() const noexcept { return bias_; }

    // Rows of the layer's input x (rows x inputs) and their outputs y = x W without bias (rows x outputs).
    struct rows_view {
        const double* x;
        const double* y;
        std::size_t rows;
    };

    void add(const double* x, const double* y, std::size_t rows) {
        const rows_view one{x, y, rows};
        add(std::span<const rows_view>(&one, 1));
    }

    // Adds several pieces of rows as if one after the other: the sums do not depend on how rows are split
    // into pieces, nor on the thread count (threads take blocks of 16 rows of the sums each).
    void add(std::span<const rows_view> pieces) {
        const std::size_t n = outputs_, cols = columns();
        scratch_.resize(pieces.size());
        parallel_for(0, pieces.size(), [&](std::size_t p) {
            const rows_view& v = pieces[p];
            std::vector<double>& r = scratch_[p];
            r.resize(v.rows * cols);
            for (std::size_t row = 0; row < v.rows; ++row) {
                const double* yr = v.y + row * n;
                double* dst = r.data() + row * cols;
                dst[0] = 1.0;
                for (std::size_t j = 0; j < n; ++j) {
                    const double m = yr[j] + bias_[j] > 0.0 ? 1.0 : 0.0;
                    dst[1 + j] = yr[j];
                    dst[1 + n + j] = m;
                    dst[1 + 2 * n + j] = yr[j] * m;
                    dst[1 + 3 * n + j] = 1.0 - m;
                    dst[1 + 4 * n + j] = yr[j] * (1.0 - m);
                }
            }
        });
        for (std::size_t p = 0; p < pieces.size(); ++p) {
            for (std::size_t row = 0; row < pieces[p].rows; ++row) {
                const double* yr = pieces[p].y + row * n;
                const double* rr = scratch_[p].data() + row * cols;
                for (std::size_t j = 0; j < n; ++j) count_relu_[j] += rr[1 + n + j], sum_y_[j] += yr[j];
            }
            rows_ += pieces[p].rows;
        }
        const std::size_t blocks = (inputs_ + 15) / 16;
        parallel_for(0, blocks, [&](std::size_t b) {
            const std::size_t i0 = b * 16, i1 = std::min(inputs_, i0 + 16);
            for (std::size_t p = 0; p < pieces.size(); ++p)
                detail::patterns::accumulate_transposed(pieces[p].x, pieces[p].rows, inputs_, scratch_[p].data(), cols,
                                                        sums_.data(), i0, i1);
        });
    }

    // Rows counted by each output's mask.
    xt::xtensor<double, 1> count(pattern_kind k) const {
        xt::xtensor<double, 1> c = xt::xtensor<double, 1>::from_shape({outputs_});
        for (std::size_t j = 0; j < outputs_; ++j)
            c(j) = k == pattern_kind::linear ? static_cast<double>(rows_)
                   : k == pattern_kind::relu ? count_relu_[j]
                                             : static_cast<double>(rows_) - count_relu_[j];
        return c;
    }
    // X^T m_j for every output j: (inputs x outputs).
    xt::xtensor<double, 2> sum_x(pattern_kind k) const {
        if (k == pattern_kind::linear) {
            xt::xtensor<double, 2> s = xt::xtensor<double, 2>::from_shape({inputs_, outputs_});
            for (std::size_t i = 0; i < inputs_; ++i)
                for (std::size_t j = 0; j < outputs_; ++j) s(i, j) = sums_(i, 0);
            return s;
        }
        return block(k == pattern_kind::relu ? 2 : 4);
    }
    // X^T (y_j m_j) for every output j: (inputs x outputs).
    xt::xtensor<double, 2> sum_xy(pattern_kind k) const {
        return block(k == pattern_kind::linear ? 1 : k == pattern_kind::relu ? 3 : 5);
    }
    // sum of y_j over all rows (unmasked).
    xt::xtensor<double, 1> sum_y() const {
        xt::xtensor<double, 1> s = xt::xtensor<double, 1>::from_shape({outputs_});
        std::copy(sum_y_.begin(), sum_y_.end(), s.begin());
        return s;
    }

    // Adds another accumulator's sums (same layer), e.g. one filled on another thread or process.
    layer_moments& operator+=(const layer_moments& o) {
        if (o.inputs_ != inputs_ || o.outputs_ != outputs_)
            throw shape_error("layer_moments: cannot add moments of a (" + std::to_string(o.inputs_) + " x " +
                              std::to_string(o.outputs_) + ") layer to a (" + std::to_string(inputs_) + " x " +
                              std::to_string(outputs_) + ") one");
        sums_ += o.sums_;
        for (std::size_t j = 0; j < outputs_; ++j) count_relu_[j] += o.count_relu_[j], sum_y_[j] += o.sum_y_[j];
        rows_ += o.rows_;
        return *this;
    }

private:
    std::size_t columns() const noexcept { return 1 + 5 * outputs_; }
    xt::xtensor<double, 2> block(std::size_t b) const {
        return xt::view(sums_, xt::all(), xt::range(1 + (b - 1) * outputs_, 1 + b * outputs_));
    }

    std::size_t inputs_ = 0, outputs_ = 0, rows_ = 0;
    std::vector<double> bias_;
    xt::xtensor<double, 2> sums_;  // inputs x (1 + 5 outputs)
    std::vector<double> count_relu_, sum_y_;
    std::vector<std::vector<double>> scratch_;  // [1 | y | m | y m | 1-m | y (1-m)] per piece
};

}  // namespace xddp
