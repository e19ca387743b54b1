#pragma once
// accuracy_stage: top-1 accuracy of the model output against integer labels, the accuracy that aIQ
// weighs against efficiency. A prediction is the first index of the largest output (torch.argmax).
// Composes with state_capture in one pipeline, so one forward pass per batch feeds both:
//
//   xddp::pipeline p(g, xddp::state_capture<>({.kinds = {"conv2d"}}), xddp::accuracy_stage(labels));
//   p.run(images);
//   double a = p.stage<1>().accuracy();

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/model/graph.hpp"

namespace xddp {

class accuracy_stage {
public:
    static constexpr keep needs = keep::output;

    // labels[i]: the class of input i of the run.
    explicit accuracy_stage(std::vector<std::int64_t> labels) : labels_(std::move(labels)) {}
    explicit accuracy_stage(std::span<const std::int64_t> labels) : labels_(labels.begin(), labels.end()) {}

    // Counts from zero on every run: the labels belong to one run's inputs.
    void start(const graph&, std::size_t total) {
        if (total != labels_.size())
            throw shape_error("accuracy_stage: " + std::to_string(labels_.size()) + " labels for " +
                              std::to_string(total) + " inputs; expected one label per input");
        correct_ = 0;
        seen_ = 0;
    }

    void consume(const activations& acts, std::size_t first) {
        const activation& y = acts.output();
        if (y.dimension() != 2)
            throw shape_error("accuracy_stage: the model output has " + std::to_string(y.dimension()) +
                              " dimensions; expected (N, classes)");
        const std::size_t n = y.shape()[0], classes = y.shape()[1];
        for (std::size_t b = 0; b < n; ++b) {
            const std::int64_t label = labels_.at(first + b);
            if (label < 0 || static_cast<std::uint64_t>(label) >= classes)
                throw value_error("accuracy_stage: label " + std::to_string(label) + " of input " +
                                  std::to_string(first + b) + " is not a class of the " + std::to_string(classes) +
                                  "-class output");
            const float* z = y.data() + b * classes;
            std::size_t best = 0;
            for (std::size_t k = 1; k < classes; ++k)
                if (z[k] > z[best]) best = k;
            correct_ += best == static_cast<std::size_t>(label);
        }
        seen_ += n;
    }

    void finish() {}

    std::size_t correct() const noexcept { return correct_; }
    std::size_t seen() const noexcept { return seen_; }
    // correct / seen; value_error before any input was seen.
    double accuracy() const {
        if (seen_ == 0) throw value_error("accuracy_stage: no input seen yet");
        return static_cast<double>(correct_) / static_cast<double>(seen_);
    }

private:
    std::vector<std::int64_t> labels_;
    std::size_t correct_ = 0, seen_ = 0;
};

}  // namespace xddp
