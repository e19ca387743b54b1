// xddp sensitivity MODEL IMAGES.npy LABELS.npy: Distiller's pruning sensitivity analysis, written as its
// CSV (parameter,sparsity,top1,top5,loss) and optionally an SVG plot of top-1 and top-5 versus sparsity.

#include <chrono>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <xddp/core/threads.hpp>
#include <xddp/io/batch.hpp>
#include <xddp/io/labels.hpp>
#include <xddp/pruning/report.hpp>
#include <xddp/pruning/sensitivity.hpp>

#include "commands.hpp"
#include "distributed.hpp"
#include "model_spec.hpp"
#include "options.hpp"
#include "table.hpp"

namespace xddp::tool {

namespace {

struct sensitivity_options_cli {
    std::string model, images, labels, mode = "element", levels, output = "sensitivity.csv", plot;
    std::vector<std::string> parameters;
    std::size_t batch = 100;
    unsigned threads = 0;
    bool distributed = false;
};

sensitivity_options sweep_options(const sensitivity_options_cli& o) {
    std::vector<std::filesystem::path> inputs = model_paths(o.model);
    inputs.insert(inputs.end(), {o.images, o.labels});
    require_usable_outputs({o.output, o.plot}, {}, inputs);
    sensitivity_options options;
    options.mode = o.mode == "filter" ? prune_mode::filter : prune_mode::element;
    if (!o.levels.empty()) options.levels = parse_sparsity_levels(o.levels);
    options.batch = o.batch;
    options.parameters = o.parameters;
    return options;
}

void write_results(const sensitivity_options_cli& o, const std::vector<sensitivity_row>& rows, double seconds,
                   const std::string& where) {
    table t({"parameter", "sparsity", "pruned", "top1", "top5", "loss"});
    for (const auto& r : rows)
        t.row({r.parameter, python_repr(r.sparsity), std::to_string(r.pruned.zeros), fixed(r.result.top1, 2),
               fixed(r.result.top5, 2), fixed(r.result.loss, 6)});
    t.print(std::cout);
    io::output_transaction out;  // both files or neither
    out.write_text(o.output, sensitivity_csv(rows));
    if (!o.plot.empty()) out.write_text(o.plot, sensitivity_svg(rows, "Pruning sensitivity (" + o.mode + ")"));
    out.commit();
    std::cout << "wrote " << o.output;
    if (!o.plot.empty()) std::cout << " and " << o.plot;
    std::cout << " (" << fixed(seconds, 3) << " s on " << where << ")\n";
}

void run_sensitivity(const sensitivity_options_cli& o) {
    sensitivity_options options = sweep_options(o);
    if (o.threads) set_num_threads(o.threads);
    auto [description, g] = load_model(o.model);
    const auto images = io::load_batch(std::filesystem::path(o.images), g.input_shape());
    const std::vector<std::int64_t> labels = io::load_labels(o.labels, images.shape()[0]);
    options.progress = [](std::size_t done, std::size_t total) {
        std::cerr << "\revaluated " << done << " / " << total << " pruned models" << (done == total ? "\n" : "")
                  << std::flush;
    };
    std::cout << "Model " << description << ", " << labels.size() << " labelled images from " << o.images << ", "
              << o.mode << " pruning at " << options.levels.size() << " levels\n";
    const auto start = std::chrono::steady_clock::now();
    const auto rows = sensitivity_sweep(g, images, labels, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_results(o, rows, seconds, std::to_string(num_threads()) + " thread(s)");
}

// One rank of `mpirun -np N xddp sensitivity ... --distributed`: the weight tensors are shared out in
// contiguous groups, each rank sweeps its own on the whole data set, rank 0 writes the single-process CSV.
void run_sensitivity_distributed([[maybe_unused]] const sensitivity_options_cli& o) {
    require_mpi("sensitivity");
#if XDDP_WITH_MPI
    as_rank([&](const mpi::communicator& world) {
        std::optional<loaded_model> m;
        xt::xarray<float> images;
        std::vector<std::int64_t> labels;
        sensitivity_options options;
        mpi::on_every_rank(world, "reading the model, the images and the labels", [&] {
            options = sweep_options(o);
            if (o.threads) set_num_threads(o.threads);
            m = load_model(o.model);
            images = io::load_batch(std::filesystem::path(o.images), m->model.input_shape());
            labels = io::load_labels(o.labels, images.shape()[0]);
        });
        if (world.root())
            std::cout << "Model " << m->description << ", " << labels.size() << " labelled images from " << o.images
                      << ", " << o.mode << " pruning at " << options.levels.size() << " levels, " << world.size()
                      << " ranks\n";
        const auto start = std::chrono::steady_clock::now();
        const auto rows = mpi::sensitivity_sweep(world, m->model, images, labels, options);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (rows)
            write_results(o, *rows, seconds, ranks_description(world));
    });
#endif
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
    cmd->add_option("--parameters", o->parameters,
                    "weight tensors to sweep, comma separated (conv1.weight,...; Distiller's param names); every "
                    "prunable one by default")
        ->delimiter(',');
    cmd->add_option("--batch", o->batch, "images per forward pass")->check(positive_integer())->capture_default_str();
    cmd->add_option("-o,--output", o->output, "CSV to write (Distiller's format)")->capture_default_str();
    cmd->add_option("--plot", o->plot, "also write an SVG plot of top-1 and top-5 versus sparsity");
    cmd->add_option("--threads", o->threads, "threads (0 = all cores; per rank with --distributed)")
        ->check(integer_in(0, UINT_MAX))
        ->capture_default_str();
    cmd->add_flag("--distributed", o->distributed,
                  "run as one rank of an MPI job (mpirun -np N xddp sensitivity ...): each rank sweeps a group "
                  "of weight tensors, rank 0 writes the same CSV as one process");
    cmd->callback([o] {
        if (o->distributed) run_sensitivity_distributed(*o);
        else run_sensitivity(*o);
    });
}

}  // namespace xddp::tool
