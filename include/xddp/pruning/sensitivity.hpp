#pragma once
// sensitivity_sweep: Distiller's pruning sensitivity analysis (specs/metrics.md, "Pruning sensitivity").
// For each weight tensor (rank 4 and 2 in element mode, rank 4 only in filter mode) and each sparsity
// level in order, prune only that tensor on a copy of the model and evaluate top-1, top-5 and loss.
//
//   auto rows = xddp::sensitivity_sweep(model, images, labels, {.mode = xddp::prune_mode::filter});
//   xddp::save_sensitivity_csv("sensitivity.csv", rows);
//
// As in Distiller, the levels of one tensor prune the same copy one after another, so a level sees the
// zeros of the level before (which changes only the logged threshold, never the mask, while levels
// rise); a level below the one before starts again from the original weight. The evaluations run in
// parallel over (tensor, level) on xddp's pool, each on its own model copy, replaying that tensor's
// pruning steps, so the results are identical to a serial run. The caller's model is never modified.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/parallel_for.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/pruning/evaluate.hpp"
#include "xddp/pruning/prune.hpp"

namespace xddp {

// Distiller's default levels 0.0, 0.05, ..., 0.90 (i * 0.05 in double).
inline std::vector<double> distiller_sparsity_levels() {
    std::vector<double> levels;
    for (int i = 0; i <= 18; ++i) levels.push_back(i * 0.05);
    return levels;
}

// The most levels one list may hold: a tensor of n elements has at most n + 1 distinct sparsities, and
// sensitivity_sweep checks the list against its largest tensor; this bound stops a step like 1e-12 before
// any memory is spent on it.
inline constexpr std::size_t max_sparsity_levels = std::size_t{1} << 20;

// first, first + step, ... up to last inclusive (first + i * step in double, as numpy.arange).
inline std::vector<double> sparsity_levels(double first, double last, double step) {
    if (!(step > 0) || !std::isfinite(first) || !std::isfinite(last) || !std::isfinite(step))
        throw value_error("sparsity levels: expected finite bounds and a positive step");
    if (const double count = std::floor((last - first) / step) + 1; count > static_cast<double>(max_sparsity_levels))
        throw value_error("sparsity levels " + detail::sparsity_text(first) + ":" + detail::sparsity_text(last) + ":" +
                          detail::sparsity_text(step) + ": about " + detail::sparsity_text(count) +
                          " levels; expected at most " + std::to_string(max_sparsity_levels) + " (use a larger step)");
    std::vector<double> levels;
    for (std::size_t i = 0;; ++i) {
        const double v = first + static_cast<double>(i) * step;
        if (v > last + step * 1e-9) break;
        levels.push_back(v);
    }
    return levels;
}

// Parses "A:B:S" (first:last:step, last inclusive) or a comma list "0,0.5,0.9".
inline std::vector<double> parse_sparsity_levels(const std::string& text) {
    auto number = [&](const std::string& s) {
        try {
            std::size_t used = 0;
            const double v = std::stod(s, &used);
            if (used == s.size()) return v;
        } catch (const std::exception&) {
        }
        throw value_error("sparsity levels '" + text + "': '" + s +
                          "' is not a number; expected A:B:STEP or a list like 0,0.5,0.9");
    };
    std::vector<double> levels;
    if (const auto c1 = text.find(':'); c1 != std::string::npos) {
        const auto c2 = text.find(':', c1 + 1);
        if (c2 == std::string::npos)
            throw value_error("sparsity levels '" + text + "': expected A:B:STEP, e.g. 0:0.9:0.1");
        levels = sparsity_levels(number(text.substr(0, c1)), number(text.substr(c1 + 1, c2 - c1 - 1)),
                                 number(text.substr(c2 + 1)));
    } else {
        std::size_t start = 0;
        for (;;) {
            const auto comma = text.find(',', start);
            if (levels.size() == max_sparsity_levels)
                throw value_error("sparsity levels: more than " + std::to_string(max_sparsity_levels) + " levels");
            levels.push_back(
                number(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    for (double s : levels)
        if (!(s >= 0.0 && s <= 1.0))
            throw value_error("sparsity levels '" + text + "': level " + detail::sparsity_text(s) +
                              " is outside [0, 1]");
    if (levels.empty()) throw value_error("sparsity levels '" + text + "': no level");
    return levels;
}

struct sensitivity_options {
    prune_mode mode = prune_mode::element;
    std::vector<double> levels = distiller_sparsity_levels();
    std::size_t batch = 100;
    std::vector<std::string> parameters{};  // "conv1.weight", ...; empty: every eligible weight
    bool parallel = true;                   // over (tensor, level) on xddp's pool
    std::function<void(std::size_t done, std::size_t total)> progress{};  // called from one thread at a time
};

struct sensitivity_row {
    std::string parameter;  // "<node>.weight"
    double sparsity = 0;
    prune_detail pruned;
    classifier_evaluation result;
};

// A prunable weight of a graph: rank 4 (conv) or 2 (linear) in element mode, rank 4 in filter mode.
struct prunable_weight {
    std::string name;
    node_id node = 0;
    std::size_t index = 0;  // into the node's parameters()
    shape_t shape;
};

inline std::vector<prunable_weight> prunable_weights(graph& g, prune_mode mode) {
    std::vector<prunable_weight> out;
    for (node_id id = 1; id < g.size(); ++id) {
        node& n = g.at(id);
        const auto params = n.layer->parameters();
        for (std::size_t i = 0; i < params.size(); ++i) {
            const auto rank = params[i].shape.size();
            if (params[i].name == "weight" && (rank == 4 || (rank == 2 && mode == prune_mode::element)))
                out.push_back({n.name + "." + params[i].name, id, i, params[i].shape});
        }
    }
    return out;
}

namespace detail {

inline std::span<float> weight_span(graph& g, const prunable_weight& w) {
    const parameter p = g.at(w.node).layer->parameters()[w.index];
    return {p.data, element_count(p.shape)};
}

// Prunes w in g through levels[0..last] as the sweep does; returns the detail of the last step.
inline prune_detail replay_pruning(graph& g, const prunable_weight& w, prune_mode mode, std::span<const double> levels,
                                   std::size_t last) {
    std::size_t first = last;  // the run of rising levels that ends at last
    while (first > 0 && levels[first - 1] <= levels[first]) --first;
    const std::span<float> values = weight_span(g, w);
    prune_detail d;
    for (std::size_t i = first; i <= last; ++i) d = prune(values, w.shape, mode, levels[i]);
    return d;
}

}  // namespace detail

inline std::vector<sensitivity_row> sensitivity_sweep(const graph& model, const tensor_ref& images,
                                                      std::span<const std::int64_t> labels,
                                                      const sensitivity_options& options = {}) {
    if (options.levels.empty()) throw value_error("sensitivity_sweep: no sparsity levels");
    for (double s : options.levels) detail::check_sparsity(s, "sensitivity_sweep");
    if (options.batch == 0) throw value_error("sensitivity_sweep: the batch size must be positive");
    check_dataset(model, images, labels);

    graph reference = model;  // parameters() needs a mutable graph; the caller's stays untouched
    std::vector<prunable_weight> weights = prunable_weights(reference, options.mode);
    if (!options.parameters.empty()) {
        std::vector<prunable_weight> chosen;
        for (const auto& name : options.parameters) {
            auto it = std::find_if(weights.begin(), weights.end(), [&](const auto& w) { return w.name == name; });
            if (it == weights.end()) {
                std::string known;
                for (const auto& w : weights) known += (known.empty() ? "" : ", ") + w.name;
                throw value_error("sensitivity_sweep: '" + name + "' is not a weight " +
                                  std::string(to_string(options.mode)) + " pruning can prune; these are: " + known);
            }
            chosen.push_back(*it);
        }
        weights = std::move(chosen);
    }
    if (weights.empty())
        throw value_error("sensitivity_sweep: the model has no weight " + std::string(to_string(options.mode)) +
                          " pruning can prune (rank-4 convolution weights" +
                          (options.mode == prune_mode::element ? " or rank-2 linear weights)" : ")"));
    const std::size_t levels = options.levels.size();
    std::size_t largest = 0;
    for (const auto& w : weights) largest = std::max(largest, element_count(w.shape));
    if (levels > largest + 1)
        throw value_error("sensitivity_sweep: " + std::to_string(levels) + " sparsity levels, but the largest weight has " +
                          std::to_string(largest) + " elements, so at most " + std::to_string(largest + 1) +
                          " levels can differ; expected a shorter list");

    // The pruning details first (cheap, serial); a step that prunes nothing reuses the baseline evaluation.
    std::vector<sensitivity_row> rows;
    std::vector<std::size_t> tasks;  // rows that need their own evaluation
    std::vector<std::size_t> baseline_zeros(weights.size());
    for (std::size_t t = 0; t < weights.size(); ++t) {
        const auto original = detail::weight_span(reference, weights[t]);
        baseline_zeros[t] = detail::count_zeros(original);
        std::vector<float> work(original.begin(), original.end());
        for (std::size_t l = 0; l < levels; ++l) {
            if (l > 0 && options.levels[l] < options.levels[l - 1]) work.assign(original.begin(), original.end());
            sensitivity_row row{
                weights[t].name, options.levels[l], prune(work, weights[t].shape, options.mode, options.levels[l]), {}};
            if (row.pruned.zeros != baseline_zeros[t]) tasks.push_back(rows.size());
            rows.push_back(std::move(row));
        }
    }

    const std::size_t total = tasks.size() + 1;
    std::mutex progress_mutex;
    std::size_t done = 0;
    auto report = [&] {
        if (!options.progress) return;
        std::lock_guard lock(progress_mutex);
        options.progress(++done, total);
    };
    classifier_evaluation baseline;
    auto run = [&](std::size_t i) {
        if (i == tasks.size()) {
            baseline = evaluate_classifier(reference, images, labels, options.batch);
        } else {
            sensitivity_row& row = rows[tasks[i]];
            const std::size_t t = tasks[i] / levels, l = tasks[i] % levels;
            graph copy = model;
            detail::replay_pruning(copy, weights[t], options.mode, options.levels, l);
            row.result = evaluate_classifier(copy, images, labels, options.batch);
        }
        report();
    };
    if (options.parallel) parallel_for(0, total, run);
    else
        for (std::size_t i = 0; i < total; ++i) run(i);
    for (std::size_t r = 0; r < rows.size(); ++r)
        if (rows[r].pruned.zeros == baseline_zeros[r / levels]) rows[r].result = baseline;
    return rows;
}

}  // namespace xddp
