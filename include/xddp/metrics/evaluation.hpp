#pragma once
// The evaluation metric: a user function over a data split (top-1 / top-5 accuracy built in), timed as
// deeplite's "inference time".

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xview.hpp>

#include "xddp/core/error.hpp"
#include "xddp/model/graph.hpp"

namespace xddp::metrics {

// Inputs (N, ...) and one integer class per input.
struct data_split {
    activation inputs;
    std::vector<std::int64_t> labels;
};

using evaluation_fn = std::function<double(const graph&, const data_split&)>;

struct evaluation_result {
    double value = 0;
    double seconds = 0;  // wall time of the evaluation function
};

inline evaluation_result evaluate(const graph& g, const data_split& data, const evaluation_fn& fn) {
    if (!fn) throw value_error("evaluate: no evaluation function");
    const auto start = std::chrono::steady_clock::now();
    const double v = fn(g, data);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    return {v, took.count()};
}

// Top-k accuracy in percent: an input counts as correct when fewer than k classes score strictly higher
// than its label. Runs in batches of `batch` inputs.
inline double top_k_accuracy(const graph& g, const data_split& data, std::size_t k, std::size_t batch = 100) {
    if (data.inputs.dimension() == 0 || data.inputs.shape()[0] != data.labels.size())
        throw shape_error("top_k_accuracy: " + std::to_string(data.labels.size()) + " labels for " +
                          (data.inputs.dimension() ? std::to_string(data.inputs.shape()[0]) : std::string("0")) +
                          " inputs; expected one label per input");
    if (k == 0 || batch == 0) throw value_error("top_k_accuracy: k and the batch size must be positive");
    const std::size_t n = data.labels.size();
    if (n == 0) throw value_error("top_k_accuracy: no inputs; the accuracy of an empty data split is undefined");
    std::size_t correct = 0;
    for (std::size_t first = 0; first < n; first += batch) {
        const std::size_t last = std::min(n, first + batch);
        const activation x = xt::view(data.inputs, xt::range(first, last));
        const activation y = g(x);
        const std::size_t classes = y.size() / (last - first);
        for (std::size_t i = first; i < last; ++i) {
            const float* row = y.data() + (i - first) * classes;
            const auto label = data.labels[i];
            if (label < 0 || static_cast<std::size_t>(label) >= classes)
                throw value_error("top_k_accuracy: label " + std::to_string(label) + " of input " + std::to_string(i) +
                                  " is outside [0, " + std::to_string(classes) + ")");
            std::size_t higher = 0;
            for (std::size_t c = 0; c < classes; ++c) higher += row[c] > row[label];
            correct += higher < k;
        }
    }
    return 100.0 * static_cast<double>(correct) / static_cast<double>(n);
}

inline evaluation_fn top1() {
    return [](const graph& g, const data_split& d) { return top_k_accuracy(g, d, 1); };
}
inline evaluation_fn top5() {
    return [](const graph& g, const data_split& d) { return top_k_accuracy(g, d, 5); };
}

}  // namespace xddp::metrics
