// xddp efficiency MODEL INPUTS.npy: TensorState's state-space efficiency of the chosen layers, the network
// efficiency and, given labels, the accuracy and aIQ; a table on the terminal, JSON with -o.

#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xddp/core/threads.hpp>
#include <xddp/io/batch.hpp>
#include <xddp/io/labels.hpp>
#include <xddp/pipeline/pipeline.hpp>
#include <xddp/state/json.hpp>
#include <xddp/state/state.hpp>

#include "commands.hpp"
#include "distributed.hpp"
#include "model_spec.hpp"
#include "options.hpp"
#include "table.hpp"

namespace xddp::tool {

namespace {

struct efficiency_options {
    std::string model, inputs, labels, output, where = "after", hash = "exact";
    std::vector<std::string> attach{"conv2d", "linear"}, exclude;
    int beta = 2;
    std::size_t batch = 64;
    unsigned threads = 0;
    bool distributed = false;
};

std::string percent(double v) { return fixed(100.0 * v, 2) + "%"; }

void print_report(const efficiency_report& r, std::optional<std::size_t> correct) {
    table t({"capture point", "node", "neurons", "states", "distinct", "entropy (bits)", "efficiency"});
    for (const auto& l : r.layers)
        t.row({l.name, l.node, std::to_string(l.neurons), std::to_string(l.samples), std::to_string(l.distinct_states),
               fixed(l.entropy_bits, 4), percent(l.efficiency)});
    t.print(std::cout);
    std::cout << "\nnetwork efficiency: " << percent(r.network_efficiency) << '\n';
    if (r.accuracy) {
        std::cout << "accuracy:           " << percent(*r.accuracy) << " (" << *correct << " of " << r.num_inputs
                  << ")\n";
        std::cout << "beta:               " << r.beta << '\n';
        std::cout << "aIQ:                " << percent(*r.aiq) << '\n';
    } else {
        std::cout << "accuracy and aIQ:   need --labels\n";
    }
}

std::vector<std::int64_t> load_labels(const efficiency_options& opt, std::size_t inputs) {
    if (opt.labels.empty()) return {};
    return io::load_labels(opt.labels, inputs);
}

// The checks that need no model: the output against the inputs, before anything is read or run.
void check_command_line(const efficiency_options& opt) {
    std::vector<std::filesystem::path> inputs = model_paths(opt.model);
    inputs.insert(inputs.end(), {opt.inputs, opt.labels});
    require_usable_outputs({opt.output}, {}, inputs);
}

void write_results(const efficiency_options& opt, efficiency_report& report, std::optional<std::size_t> correct,
                   const std::string& description, double seconds, const std::string& where) {
    report.model = description;
    print_report(report, correct);
    std::cout << "\nforward passes and state capture: " << fixed(seconds, 3) << " s on " << where
              << ", batches of " << opt.batch << '\n';
    if (!opt.output.empty()) {
        write_efficiency_json(opt.output, report);
        std::cout << "report written to " << opt.output << '\n';
    }
}

// --attach entries the model has no layer or node for capture nothing; say so (the default conv2d,linear
// on a model without linear layers, as SqueezeNet's conv classifier).
void note_unmatched(const graph& g, const capture_options& capture) {
    for (const std::string& e : unmatched_attach_entries(g, capture))
        std::cout << "--attach " << e << ": no layer of that kind or node of that name in the model; nothing captured for it\n";
}

template <class Hash>
void run_efficiency(const efficiency_options& opt) {
    check_command_line(opt);
    if (opt.threads) set_num_threads(opt.threads);
    auto [description, g] = load_model(opt.model);
    const auto x = io::load_batch(std::filesystem::path(opt.inputs), g.input_shape());
    const shape_t x_shape(x.shape().begin(), x.shape().end());
    const std::size_t inputs = x_shape[0];
    const capture_options capture =
        capture_options::attach_to(opt.attach, opt.exclude, parse_capture_where(opt.where));
    std::cout << "Model " << description << ", inputs " << opt.inputs << " " << to_string(x_shape) << ", state hash "
              << Hash::name << "\n";
    note_unmatched(g, capture);
    std::cout << '\n';

    const auto start = std::chrono::steady_clock::now();
    const run_options run{.batch_size = opt.batch};
    efficiency_report report;
    std::optional<std::size_t> correct;
    const std::vector<std::int64_t> labels = load_labels(opt, inputs);
    if (!opt.labels.empty()) {
        pipeline p(g, state_capture<Hash>(capture), accuracy_stage(labels));
        p.run(x, run);
        correct = p.template stage<1>().correct();
        report = make_efficiency_report(p.template stage<0>(), g, p.template stage<1>().accuracy(), opt.beta);
    } else {
        pipeline p(g, state_capture<Hash>(capture));
        p.run(x, run);
        report = make_efficiency_report(p.template stage<0>(), g, std::nullopt, opt.beta);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_results(opt, report, correct, description, seconds, std::to_string(num_threads()) + " thread(s)");
}

// One rank of `mpirun -np N xddp efficiency ... --distributed`: each rank captures the states of its shard
// of whole batches; the counters merge (union with counts) on the way to rank 0, which writes the report
// a single process writes.
template <class Hash>
void run_efficiency_distributed([[maybe_unused]] const efficiency_options& opt) {
    require_mpi("efficiency");
#if XDDP_WITH_MPI
    as_rank([&](const mpi::communicator& world) {
        std::optional<loaded_model> m;
        xt::xarray<float> x;
        std::vector<std::int64_t> labels;
        capture_options capture;
        mpi::on_every_rank(world, "reading the model, the inputs and the labels", [&] {
            check_command_line(opt);
            if (opt.threads) set_num_threads(opt.threads);
            m = load_model(opt.model);
            x = io::load_batch(std::filesystem::path(opt.inputs), m->model.input_shape());
            labels = load_labels(opt, x.shape()[0]);
            capture = capture_options::attach_to(opt.attach, opt.exclude, parse_capture_where(opt.where));
        });
        if (world.root())
            std::cout << "Model " << m->description << ", inputs " << opt.inputs << " "
                      << to_string(shape_t(x.shape().begin(), x.shape().end())) << ", state hash " << Hash::name
                      << ", " << world.size() << " ranks\n";
        if (world.root()) {
            note_unmatched(m->model, capture);
            std::cout << '\n';
        }
        const auto start = std::chrono::steady_clock::now();
        auto states = mpi::capture_states<Hash>(world, m->model, x, capture, opt.batch, labels);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!states) return;
        std::optional<double> accuracy;
        std::optional<std::size_t> correct;
        if (!labels.empty()) {
            if (states->seen == 0) throw value_error("xddp efficiency: no input seen");
            accuracy = static_cast<double>(states->correct) / static_cast<double>(states->seen);
            correct = states->correct;
        }
        efficiency_report report = make_efficiency_report(states->capture, m->model, accuracy, opt.beta);
        write_results(opt, report, correct, m->description, seconds, ranks_description(world));
    });
#endif
}

}  // namespace

void add_efficiency_command(CLI::App& app) {
    auto opt = std::make_shared<efficiency_options>();
    auto* cmd = app.add_subcommand("efficiency",
                                   "State-space efficiency (TensorState): layer and network efficiency, accuracy, aIQ");
    cmd->add_option("model", opt->model, "ARCH:WEIGHTS_DIR or ARCH (seeded weights)")->required();
    cmd->add_option("inputs", opt->inputs, "inputs .npy, (N, C, H, W) or (C, H, W) float32")->required();
    cmd->add_option("--attach", opt->attach,
                    "layer kinds (conv2d, linear, batch_norm, ... or PyTorch's Conv2d, Linear, BatchNorm2d, ...) "
                    "and node names to capture, comma separated")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--exclude", opt->exclude, "node names not to capture (a name given to --attach wins)")
        ->delimiter(',');
    cmd->add_option("--where", opt->where, "capture each node's input, output or both")
        ->check(CLI::IsMember({"before", "after", "both"}))
        ->capture_default_str();
    cmd->add_option("--labels", opt->labels, "int64 labels .npy, (N,): adds accuracy and aIQ");
    cmd->add_option("--beta", opt->beta, "aIQ's weight of accuracy, a positive integer")
        ->check(integer_in(1, INT_MAX))
        ->capture_default_str();
    cmd->add_option("--batch", opt->batch, "inputs per forward pass")->check(positive_integer())->capture_default_str();
    cmd->add_option("--hash", opt->hash,
                    "state hashing: exact (the packed states are the keys) or compact (64-bit hashes of them)")
        ->check(CLI::IsMember({"exact", "compact"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", opt->output, "write the report as JSON (xddp.efficiency/1) to this file");
    cmd->add_option("--threads", opt->threads, "threads (0 = all cores; per rank with --distributed)")
        ->check(integer_in(0, UINT_MAX))
        ->capture_default_str();
    cmd->add_flag("--distributed", opt->distributed,
                  "run as one rank of an MPI job (mpirun -np N xddp efficiency ...): each rank counts the states "
                  "of a shard of whole batches, rank 0 writes the same report as one process");
    cmd->callback([opt] {
        if (opt->distributed) {
            if (opt->hash == "compact") run_efficiency_distributed<compact_hash>(*opt);
            else run_efficiency_distributed<exact_hash>(*opt);
        } else if (opt->hash == "compact") {
            run_efficiency<compact_hash>(*opt);
        } else {
            run_efficiency<exact_hash>(*opt);
        }
    });
}

}  // namespace xddp::tool
