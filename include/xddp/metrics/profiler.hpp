#pragma once
// profiler: a registry of profiler functions keyed by metric, over one model (deeplite-profiler's
// Profiler / ProfilerFunction / StatusKey, specs/metrics.md "Registry").
//   - Every metric has metadata: key, name, description, unit, scaling (display = value x scaling),
//     which way is better, and how two models compare (a - b, or b / a shown as "x").
//   - One function may fill several keys; asking for one key runs it once and caches all its keys.
//   - A later registration of a key replaces the earlier one, unless the earlier was registered as an
//     override: then the later plain one is ignored, and a second override is an error.
//   - Values stay cached until asked to recompute (or until a key's function is replaced).
// The built-in functions (static costs, latency, evaluation) are known at compile time (builtin_metrics);
// users register theirs at run time:
//
//   xddp::metrics::profiler p(g, "my model");
//   p.register_function({{.key = "sparsity", .name = "Sparsity", .unit = "%"}},
//                       [](const xddp::metrics::profiler& p, xddp::metrics::metric_values& out) { out.set("sparsity", 12.5); });
//   double gmacs = p.value("macs") * p.info("macs").scaling;

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/metrics/evaluation.hpp"
#include "xddp/metrics/latency.hpp"
#include "xddp/metrics/model_cost.hpp"

namespace xddp::metrics {

enum class better { higher, lower, none };
enum class comparison { difference, ratio };  // a - b, or b / a

inline constexpr std::string_view to_string(better b) {
    return b == better::higher ? "higher" : b == better::lower ? "lower" : "none";
}

struct metric_info {
    std::string key;
    std::string name;
    std::string description;
    std::string unit;
    double scaling = 1.0;  // the displayed value is value x scaling (MACs x 1e-9 = GigaMACs)
    better better_when = better::none;
    comparison compare_by = comparison::difference;
    bool count = false;  // a whole count (MACs, parameters, bytes): JSON writes it as an integer

    // How b compares to a: a - b for a difference, b / a for a ratio (displayed values).
    double compare(double a, double b) const {
        return compare_by == comparison::difference ? a * scaling - b * scaling : b / a;
    }
    std::string label() const { return unit.empty() ? name : name + " (" + unit + ")"; }
};

// Where a profiler function writes the keys it computes.
class metric_values {
public:
    void set(std::string_view key, double value) { values_[std::string(key)] = value; }
    std::optional<double> get(std::string_view key) const {
        auto it = values_.find(std::string(key));
        return it == values_.end() ? std::nullopt : std::optional<double>(it->second);
    }

private:
    std::map<std::string, double, std::less<>> values_;
};

enum class registration { plain, override_ };

struct profiler_options {
    std::size_t batch = 1;
    mac_convention convention = mac_convention::common;
    latency_options latency{};
};

class profiler;
using profiler_function = std::function<void(const profiler&, metric_values&)>;

// The built-in metrics; `group` names the built-in function that fills them (one function, several keys).
struct builtin_metric {
    std::string_view key, name, description, unit;
    double scaling;
    better better_when;
    comparison compare_by;
    bool count;
    std::string_view group;
};

inline constexpr std::array<builtin_metric, 11> builtin_metrics{{
    {"eval_metric", "Evaluation Metric", "Computed performance of the model on the given data", "%", 1.0,
     better::higher, comparison::difference, false, "evaluation"},
    {"model_size_mib", "Model Size", "Memory consumed by the parameters (weights and biases) of the model", "MB",
     1.0, better::lower, comparison::ratio, false, "static"},
    {"macs", "Computational Complexity", "Summation of Multiply-Add Cumulations (MACs) per single image (batch_size=1)",
     "GigaMACs", 1e-9, better::lower, comparison::ratio, true, "static"},
    {"params", "Total Parameters", "Total number of trainable parameters in the model", "Millions", 1e-6,
     better::lower, comparison::ratio, true, "static"},
    {"memory_footprint_mib", "Memory Footprint",
     "deeplite's figure: the peak of live activation bytes multiplied by the element size once more", "MB", 1.0,
     better::lower, comparison::ratio, false, "static"},
    {"peak_activation_bytes", "Peak Activation Memory",
     "The true peak of live activation bytes over the execution order (input and output excluded)", "MB",
     1.0 / (1 << 20), better::lower, comparison::ratio, true, "static"},
    {"latency_ms", "Execution Time", "On the host backend, median time of the forward pass per single image", "ms", 1.0,
     better::lower, comparison::ratio, false, "latency"},
    {"latency_mean_ms", "Execution Time Mean", "Mean time of the timed forward passes per single image", "ms", 1.0,
     better::lower, comparison::ratio, false, "latency"},
    {"latency_stdev_ms", "Execution Time Spread", "Standard deviation of the timed forward passes per single image",
     "ms", 1.0, better::lower, comparison::ratio, false, "latency"},
    {"threads", "Threads", "Threads the forward passes ran with", "", 1.0, better::none, comparison::difference, true,
     "latency"},
    {"inference_time_s", "Inference Time", "On the host backend, time required to run the evaluation function", "s",
     1.0, better::lower, comparison::ratio, false, "evaluation"},
}};

class profiler {
public:
    // The profiler keeps a reference to model, which must outlive it.
    explicit profiler(const graph& model, std::string name = "model", profiler_options options = {})
        : model_(&model), name_(std::move(name)), options_(options) {
        register_builtin("static", [](const profiler& p, metric_values& out) {
            const model_cost& c = p.cost();
            out.set("macs", static_cast<double>(c.macs(p.options().convention)));
            out.set("params", static_cast<double>(c.params()));
            out.set("model_size_mib", c.model_size_mib());
            out.set("peak_activation_bytes", static_cast<double>(c.peak_activation_bytes));
            out.set("memory_footprint_mib", c.memory_footprint_mib());
        });
        register_builtin("latency", [](const profiler& p, metric_values& out) {
            const latency_stats s = measure_latency(p.model(), p.options().latency);
            out.set("latency_ms", s.median_ms);
            out.set("latency_mean_ms", s.mean_ms);
            out.set("latency_stdev_ms", s.stdev_ms);
            out.set("threads", s.threads);
        });
        register_builtin("evaluation", [](const profiler& p, metric_values& out) {
            if (!p.evaluation_)
                throw value_error("profiler '" + p.name() + "': no evaluation function; call set_evaluation first");
            const evaluation_result r = evaluate(p.model(), p.data_, p.evaluation_);
            out.set("eval_metric", r.value);
            out.set("inference_time_s", r.seconds);
        });
    }

    profiler(graph&&, std::string = {}, profiler_options = {}) = delete;  // would dangle

    const graph& model() const noexcept { return *model_; }
    const std::string& name() const noexcept { return name_; }
    const profiler_options& options() const noexcept { return options_; }

    // The static costs, computed once.
    const model_cost& cost() const {
        if (!cost_) cost_ = analyze(*model_, options_.batch);
        return *cost_;
    }

    // Registers fn as the function of the given metrics (see the rules above). Throws value_error when a
    // key is already overridden and this is an override too; nothing changes then.
    void register_function(std::vector<metric_info> metrics, profiler_function fn, registration how = registration::plain) {
        if (metrics.empty() || !fn) throw value_error("register_function: needs at least one metric and a function");
        for (const auto& m : metrics) {
            if (m.key.empty()) throw value_error("register_function: a metric needs a key");
            const auto it = owner_.find(m.key);
            if (how == registration::override_ && it != owner_.end() && functions_[it->second].is_override)
                throw value_error("register_function: metric '" + m.key + "' is already overridden; two overrides for one key are an error");
        }
        const std::size_t index = functions_.size();
        functions_.push_back({std::move(fn), how == registration::override_, {}});
        for (auto& m : metrics) {
            const auto it = owner_.find(m.key);
            if (it != owner_.end() && functions_[it->second].is_override) continue;  // the override stays
            if (it == owner_.end()) order_.push_back(m.key);
            owner_[m.key] = index;
            functions_[index].keys.push_back(m.key);
            cache_.erase(m.key);
            infos_[m.key] = std::move(m);
        }
    }

    // The evaluation metric: fn over data (top1(), top5() or the user's), with its own name and unit.
    void set_evaluation(data_split data, evaluation_fn fn, std::string name = "Evaluation Metric", std::string unit = "%") {
        data_ = std::move(data);
        evaluation_ = std::move(fn);
        if (owner_.contains("eval_metric") && is_builtin(owner_.at("eval_metric"))) {
            infos_.at("eval_metric").name = std::move(name);
            infos_.at("eval_metric").unit = std::move(unit);
        }
        cache_.erase("eval_metric");
        cache_.erase("inference_time_s");
    }
    bool has_evaluation() const noexcept { return static_cast<bool>(evaluation_); }

    bool has(std::string_view key) const { return owner_.contains(std::string(key)); }
    const metric_info& info(std::string_view key) const {
        auto it = infos_.find(std::string(key));
        if (it == infos_.end()) throw value_error("profiler: no metric '" + std::string(key) + "' is registered");
        return it->second;
    }
    // Registered keys, in the order they were first registered.
    const std::vector<std::string>& keys() const noexcept { return order_; }

    // The value of key, computed (with every other key of its function) on first use or when recompute.
    double value(std::string_view key, bool recompute = false) const {
        const std::string k(key);
        if (!recompute)
            if (auto it = cache_.find(k); it != cache_.end()) return it->second;
        const auto owner = owner_.find(k);
        if (owner == owner_.end()) throw value_error("profiler: no metric '" + k + "' is registered");
        const function_entry& f = functions_[owner->second];
        metric_values out;
        f.fn(*this, out);
        for (const auto& fk : f.keys) {
            if (owner_.at(fk) != owner->second) continue;  // taken over by a later registration
            const auto v = out.get(fk);
            if (!v) throw value_error("profiler: the function of metric '" + fk + "' did not set it");
            cache_[fk] = *v;
        }
        return cache_.at(k);
    }
    bool cached(std::string_view key) const { return cache_.contains(std::string(key)); }
    void clear_cache() {
        cache_.clear();
        cost_.reset();
    }

private:
    struct function_entry {
        profiler_function fn;
        bool is_override = false;
        std::vector<std::string> keys;
    };

    void register_builtin(std::string_view group, profiler_function fn) {
        std::vector<metric_info> metrics;
        for (const auto& b : builtin_metrics)
            if (b.group == group)
                metrics.push_back({std::string(b.key), std::string(b.name), std::string(b.description), std::string(b.unit),
                                   b.scaling, b.better_when, b.compare_by, b.count});
        builtin_.push_back(functions_.size());
        register_function(std::move(metrics), std::move(fn));
    }
    bool is_builtin(std::size_t index) const { return std::find(builtin_.begin(), builtin_.end(), index) != builtin_.end(); }

    const graph* model_;
    std::string name_;
    profiler_options options_;
    std::vector<function_entry> functions_;
    std::vector<std::size_t> builtin_;
    std::map<std::string, std::size_t, std::less<>> owner_;
    std::map<std::string, metric_info, std::less<>> infos_;
    std::vector<std::string> order_;
    mutable std::map<std::string, double, std::less<>> cache_;
    mutable std::optional<model_cost> cost_;
    data_split data_;
    evaluation_fn evaluation_;
};

}  // namespace xddp::metrics
