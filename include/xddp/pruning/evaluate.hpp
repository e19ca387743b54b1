#pragma once
// evaluate_classifier: top-1, top-5 and mean cross-entropy of a classifier on a labelled data set, the
// way Distiller's test loop computes them (specs/metrics.md): batches in order; the loss is the
// incremental mean (in double) of each batch's mean cross-entropy, rounded to float32 as torch's loss
// tensor is; top-k = (1 - wrong / n) * 100 in double. A label is within the top k when fewer than k
// classes beat it, a tie going to the lower class index (torch.argmax's rule).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "xddp/core/error.hpp"
#include "xddp/core/tensor_ref.hpp"
#include "xddp/model/graph.hpp"

namespace xddp {

struct classifier_evaluation {
    double top1 = 0, top5 = 0, loss = 0;
    std::size_t correct1 = 0, correct5 = 0, n = 0;
};

// Checks a labelled data set against a model: images (N, ...input shape), N labels, finite images.
// Labels must lie within the model's classes where its output is (N, classes).
inline void check_dataset(const graph& g, const tensor_ref& images, std::span<const std::int64_t> labels) {
    const shape_t& want = g.input_shape();
    const shape_t& got = images.shape();
    if (got.size() != want.size() + 1 || !std::equal(want.begin(), want.end(), got.begin() + 1) || got[0] == 0) {
        std::string expected = "(N";
        for (std::size_t d : want) expected += ", " + std::to_string(d);
        throw shape_error("images of shape " + to_string(got) + " do not fit the model, expected " + expected +
                          ") with N > 0");
    }
    if (labels.size() != got[0])
        throw shape_error("images hold " + std::to_string(got[0]) + " samples but labels " +
                          std::to_string(labels.size()) + "; expected one label per image");
    const shape_t& out = g[g.output()].shape;  // per sample: (classes,) for a classifier
    if (out.size() == 1)
        for (std::size_t i = 0; i < labels.size(); ++i)
            if (labels[i] < 0 || static_cast<std::uint64_t>(labels[i]) >= out[0])
                throw value_error("label " + std::to_string(labels[i]) + " of sample " + std::to_string(i) +
                                  " is outside the model's " + std::to_string(out[0]) + " classes [0, " +
                                  std::to_string(out[0] - 1) + "]");
    const float* p = images.data();
    const std::size_t size = images.size(), per = size / got[0];
    for (std::size_t i = 0; i < size; ++i)
        if (!std::isfinite(p[i]))
            throw value_error("images: sample " + std::to_string(i / per) + " holds " +
                              (std::isnan(p[i]) ? "NaN" : "Inf") + " at element " + std::to_string(i % per) +
                              "; expected finite values");
}

inline classifier_evaluation evaluate_classifier(const graph& g, const tensor_ref& images,
                                                 std::span<const std::int64_t> labels, std::size_t batch = 100) {
    if (batch == 0) throw value_error("evaluate_classifier: the batch size must be positive");
    check_dataset(g, images, labels);
    const std::size_t n = labels.size(), per = images.size() / n;
    shape_t batch_shape = images.shape();
    classifier_evaluation e;
    e.n = n;
    std::size_t batches = 0;
    for (std::size_t first = 0; first < n; first += batch) {
        const std::size_t count = std::min(batch, n - first);
        batch_shape[0] = count;
        const activation out = g(tensor_ref(images.data() + first * per, batch_shape));
        if (out.dimension() != 2 || out.shape()[0] != count || out.shape()[1] == 0)
            throw shape_error("evaluate_classifier: the model's output has shape " +
                              to_string(shape_t(out.shape().begin(), out.shape().end())) +
                              ", expected (N, classes) class scores");
        const std::size_t classes = out.shape()[1];
        double batch_loss = 0;
        for (std::size_t i = 0; i < count; ++i) {
            const std::int64_t label = labels[first + i];
            if (label < 0 || static_cast<std::uint64_t>(label) >= classes)
                throw value_error("label " + std::to_string(label) + " of sample " + std::to_string(first + i) +
                                  " is outside the model's " + std::to_string(classes) + " classes [0, " +
                                  std::to_string(classes - 1) + "]");
            const float* row = out.data() + i * classes;
            const std::size_t c = static_cast<std::size_t>(label);
            std::size_t rank = 0;  // classes ranked above the label
            double top = row[0];
            for (std::size_t j = 0; j < classes; ++j) {
                top = std::max(top, static_cast<double>(row[j]));
                if (row[j] > row[c] || (row[j] == row[c] && j < c)) ++rank;
            }
            if (!std::isfinite(top))
                throw value_error("evaluate_classifier: the model's output for sample " + std::to_string(first + i) +
                                  " is not finite");
            double sum = 0;
            for (std::size_t j = 0; j < classes; ++j) sum += std::exp(static_cast<double>(row[j]) - top);
            batch_loss += top + std::log(sum) - row[c];
            if (rank < 1) ++e.correct1;
            if (rank < 5) ++e.correct5;
        }
        // torch's loss is a float32 scalar; .item() widens it to double before the running mean.
        const double v = static_cast<double>(static_cast<float>(batch_loss / static_cast<double>(count)));
        ++batches;
        e.loss += (v - e.loss) / static_cast<double>(batches);
    }
    e.top1 = (1.0 - static_cast<double>(n - e.correct1) / static_cast<double>(n)) * 100.0;
    e.top5 = (1.0 - static_cast<double>(n - e.correct5) / static_cast<double>(n)) * 100.0;
    return e;
}

}  // namespace xddp
