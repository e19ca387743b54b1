// xddp sensitivity MODEL IMAGES.npy LABELS.npy: Distiller's pruning sensitivity analysis, written as its
// CSV (parameter,sparsity,top1,top5,loss) and optionally an SVG plot of top-1 and top-5 versus sparsity.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <xddp/core/threads.hpp>
#include <xddp/io/npy.hpp>
#include <xddp/pruning/report.hpp>
#include <xddp/pruning/sensitivity.hpp>

#include "commands.hpp"
#include "model_spec.hpp"
#include "table.hpp"

namespace xddp::tool {

namespace {

struct sensitivity_options_cli {
    std::string model, images, labels, mode = "element", levels, output = "sensitivity.csv", plot;
    std::size_t batch = 100;
    unsigned threads = 0;
};

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

void run_sensitivity(const sensitivity_options_cli& o) {
    if (o.batch == 0) throw value_error("--batch must be positive");
    sensitivity_options options;
    options.mode = o.mode == "filter" ? prune_mode::filter : prune_mode::element;
    if (!o.levels.empty()) options.levels = parse_sparsity_levels(o.levels);
    options.batch = o.batch;
    auto [description, g] = load_model(o.model);
    const auto images = io::load_npy<float>(o.images);
    const auto labels_array = io::load_npy<std::int64_t>(o.labels);
    if (labels_array.dimension() != 1)
        throw shape_error("labels '" + o.labels + "' have shape " +
                          to_string(shape_t(labels_array.shape().begin(), labels_array.shape().end())) +
                          ", expected (N,) int64 class indices");
    const std::vector<std::int64_t> labels(labels_array.begin(), labels_array.end());
    if (o.threads) set_num_threads(o.threads);
    options.progress = [](std::size_t done, std::size_t total) {
        std::cerr << "\revaluated " << done << " / " << total << " pruned models" << (done == total ? "\n" : "")
                  << std::flush;
    };
    std::cout << "Model " << description << ", " << labels.size() << " labelled images from " << o.images << ", "
              << o.mode << " pruning at " << options.levels.size() << " levels\n";
    const auto start = std::chrono::steady_clock::now();
    const auto rows = sensitivity_sweep(g, images, labels, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    table t({"parameter", "sparsity", "pruned", "top1", "top5", "loss"});
    for (const auto& r : rows)
        t.row({r.parameter, python_repr(r.sparsity), std::to_string(r.pruned.zeros), fixed(r.result.top1, 2),
               fixed(r.result.top5, 2), fixed(r.result.loss, 6)});
    t.print(std::cout);
    save_sensitivity_csv(o.output, rows);
    std::cout << "wrote " << o.output;
    if (!o.plot.empty()) {
        save_sensitivity_svg(o.plot, rows, "Pruning sensitivity (" + o.mode + ")");
        std::cout << " and " << o.plot;
    }
    std::cout << " (" << fixed(seconds, 3) << " s on " << num_threads() << " thread(s))\n";
}

}  // namespace

void add_sensitivity_command(CLI::App& app) {
    auto o = std::make_shared<sensitivity_options_cli>();
    auto* cmd = app.add_subcommand("sensitivity",
                                   "Pruning sensitivity analysis (Distiller): accuracy versus the "
                                   "sparsity of each weight tensor pruned alone");
    cmd->add_option("model", o->model, "ARCH:WEIGHTS_DIR, ARCH (seeded weights) or an .onnx file")->required();
    cmd->add_option("images", o->images, "images .npy, (N, C, H, W) float32")->required();
    cmd->add_option("labels", o->labels, "labels .npy, (N,) int64 class indices")->required();
    cmd->add_option("--mode", o->mode, "element: L1 magnitude of each weight; filter: mean-L1 rank of conv filters")
        ->check(CLI::IsMember({"element", "filter"}))
        ->capture_default_str();
    cmd->add_option(
        "--levels", o->levels,
        "sparsity levels: FIRST:LAST:STEP (LAST included) or a list 0,0.5,0.9; Distiller's 0:0.9:0.05 by default");
    cmd->add_option("--batch", o->batch, "images per forward pass")->capture_default_str();
    cmd->add_option("-o,--output", o->output, "CSV to write (Distiller's format)")->capture_default_str();
    cmd->add_option("--plot", o->plot, "also write an SVG plot of top-1 and top-5 versus sparsity");
    cmd->add_option("--threads", o->threads, "threads (0 = all cores)")->capture_default_str();
    cmd->callback([o] { run_sensitivity(*o); });
}

}  // namespace xddp::tool
