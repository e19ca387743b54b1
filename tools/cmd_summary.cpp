// xddp summary MODEL: model metrics (deeplite-profiler): MACs, parameters, size, peak memory, optionally
// latency, the layer-wise table, and JSON (FORMATS.md "Model metrics").
// xddp compare-models A B: two models side by side, per metric a - b or b / a.

#include <climits>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <xddp/core/simd_level.hpp>
#include <xddp/core/threads.hpp>
#include <xddp/io/batch.hpp>
#include <xddp/io/labels.hpp>
#include <xddp/io/text_numbers.hpp>
#include <xddp/metrics/json.hpp>
#include <xddp/metrics/metrics.hpp>

#include "commands.hpp"
#include "model_spec.hpp"
#include "options.hpp"

namespace xddp::tool {

namespace {

struct metrics_options_cli {
    std::string input_shape, convention = "common", output, data, labels;
    std::size_t top_k = 1;
    bool latency = false, layers = false;
    std::size_t warmup = 2, repeats = 10;
    unsigned threads = 0;
};

// "1,3,224,224" (batch first) or "3,224,224" (batch 1). A sample shape other than the model's is given to the
// graph, which re-derives its shapes or names the first layer that rejects them. Returns the batch size.
std::size_t apply_input_shape(const std::string& text, graph& g) {
    if (text.empty()) return 1;
    const shape_t shape = io::parse_shape(text, "--input-shape (e.g. 1,3,224,224)");
    const std::size_t rank = g.input_shape().size();
    if (shape.size() != rank && shape.size() != rank + 1)
        throw shape_error("--input-shape " + to_string(shape) + " has " + std::to_string(shape.size()) +
                          " extents; the model's input " + to_string(g.input_shape()) + " needs " + std::to_string(rank) +
                          " (one sample) or " + std::to_string(rank + 1) + " (batch first)");
    const std::size_t batch = shape.size() == rank ? 1 : shape[0];
    const shape_t sample(shape.end() - static_cast<std::ptrdiff_t>(rank), shape.end());
    if (sample != g.input_shape()) g.set_input_shape(sample);
    return batch;
}

mac_convention convention_of(const std::string& s) {
    if (s == "common") return mac_convention::common;
    if (s == "deeplite") return mac_convention::deeplite;
    throw value_error("--convention '" + s + "': expected common or deeplite");
}

void add_metric_options(CLI::App* cmd, metrics_options_cli& o) {
    cmd->add_option("--input-shape", o.input_shape, "input shape, batch first, e.g. 1,3,224,224 (default: batch 1)");
    cmd->add_option("--convention", o.convention, "MAC convention: common (torchvision) or deeplite")
        ->check(CLI::IsMember({"common", "deeplite"}))
        ->capture_default_str();
    cmd->add_flag("--latency", o.latency, "also time forward passes (warm-up, then timed passes; median)");
    cmd->add_option("--warmup", o.warmup, "untimed passes before timing")->check(integer_in(0, 1000000))->capture_default_str();
    cmd->add_option("--repeats", o.repeats, "timed passes")->check(integer_in(1, 1000000))->capture_default_str();
    cmd->add_option("--threads", o.threads, "threads (0 = all cores)")->check(integer_in(0, UINT_MAX))->capture_default_str();
    cmd->add_option("--data", o.data, "inputs .npy (N, ...) float32 for the evaluation metric (top-k accuracy)");
    cmd->add_option("--labels", o.labels, "labels .npy (N,) int64 or int32, with --data");
    cmd->add_option("--top-k", o.top_k, "the evaluation metric: top-k accuracy in percent")
        ->check(positive_integer())
        ->capture_default_str();
}

// With --data and --labels: top-k accuracy over them as the evaluation metric, timed.
void set_evaluation(metrics::profiler& p, const graph& g, const metrics_options_cli& o) {
    if (o.data.empty() && o.labels.empty()) return;
    if (o.data.empty() || o.labels.empty()) throw usage_error("--data and --labels go together");
    metrics::data_split split;
    split.inputs = io::load_batch(std::filesystem::path(o.data), g.input_shape());
    split.labels = io::load_labels(o.labels, split.inputs.shape()[0]);
    const std::size_t k = o.top_k;
    p.set_evaluation(std::move(split), [k](const graph& g, const metrics::data_split& d) { return metrics::top_k_accuracy(g, d, k); },
                     "Top-" + std::to_string(k) + " Accuracy");
}

metrics::profiler_options profiler_options_of(const metrics_options_cli& o, std::size_t batch) {
    return {.batch = batch, .convention = convention_of(o.convention),
            .latency = {.warmup = o.warmup, .repeats = o.repeats, .batch = batch}};
}

}  // namespace

void add_summary_command(CLI::App& app) {
    auto opt = std::make_shared<metrics_options_cli>();
    auto model = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("summary", "Model metrics: MACs, parameters, size, peak memory, latency, per-layer costs");
    cmd->add_option("model", *model, "a zoo name (seeded weights), ARCH:WEIGHTS_DIR or PATH.onnx")->required();
    add_metric_options(cmd, *opt);
    cmd->add_flag("--layers", opt->layers, "print the layer-wise table");
    cmd->add_option("-o,--output", opt->output, "write the metrics as JSON to this file");
    cmd->callback([opt, model] {
        std::vector<std::filesystem::path> inputs = model_paths(*model);
        inputs.insert(inputs.end(), {opt->data, opt->labels});
        require_usable_outputs({opt->output}, {}, inputs);
        if (opt->threads) set_num_threads(opt->threads);
        auto [description, g] = load_model(*model);
        const std::size_t batch = apply_input_shape(opt->input_shape, g);
        metrics::profiler p(g, *model, profiler_options_of(*opt, batch));
        set_evaluation(p, g, *opt);
        const auto keys = metrics::default_keys(p, opt->latency);
        std::cout << "Model " << description << ", batch " << batch << ", MACs in the " << opt->convention
                  << " convention\n";
        if (opt->layers) {
            metrics::print_layers(std::cout, p.cost(), p.options().convention);
            std::cout << '\n';
        }
        metrics::print_status(std::cout, p, keys);
        std::cout << "macs: " << static_cast<std::uint64_t>(p.value("macs")) << ", params: "
                  << static_cast<std::uint64_t>(p.value("params")) << ", peak activation bytes: "
                  << static_cast<std::uint64_t>(p.value("peak_activation_bytes")) << " (at " << p.cost().peak_node << ")\n";
        if (opt->latency)
            std::cout << "latency: median " << p.value("latency_ms") << " ms per input, stdev " << p.value("latency_stdev_ms")
                      << " ms, " << opt->repeats << " passes on " << p.value("threads") << " thread(s), SIMD level "
                      << to_string(active_simd_level()) << '\n';
        if (!opt->output.empty()) {
            metrics::write_json(opt->output, metrics::to_json(p, keys));
            std::cout << "wrote " << opt->output << '\n';
        }
    });
}

void add_compare_models_command(CLI::App& app) {
    auto opt = std::make_shared<metrics_options_cli>();
    auto names = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("compare-models", "Two models side by side: per metric a - b, or b / a as \"x\"");
    cmd->add_option("models", *names, "A B: zoo names, ARCH:WEIGHTS_DIR or PATH.onnx")->required()->expected(2);
    add_metric_options(cmd, *opt);
    cmd->callback([opt, names] {
        if (opt->threads) set_num_threads(opt->threads);
        auto a = load_model((*names)[0]);
        auto b = load_model((*names)[1]);
        metrics::profiler pa(a.model, (*names)[0], profiler_options_of(*opt, apply_input_shape(opt->input_shape, a.model)));
        metrics::profiler pb(b.model, (*names)[1], profiler_options_of(*opt, apply_input_shape(opt->input_shape, b.model)));
        set_evaluation(pa, a.model, *opt);
        set_evaluation(pb, b.model, *opt);
        std::cout << "A: " << a.description << "\nB: " << b.description << "\nMACs in the " << opt->convention << " convention\n";
        metrics::print_compare(std::cout, pa, pb, metrics::default_keys(pa, opt->latency));
    });
}

}  // namespace xddp::tool
