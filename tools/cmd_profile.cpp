// xddp profile MODEL INPUT.npy: contribution profiles (DeepDataProfiler) of one input or a class of inputs.
// xddp compare A.json B.json: the Jaccard similarities of two profiles.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <xddp/io/batch.hpp>
#include <xddp/io/layer_list.hpp>
#include <xddp/pipeline/pipeline.hpp>
#include <xddp/pipeline/profile_stage.hpp>
#include <xddp/profile/comparable.hpp>
#include <xddp/profile/graph_export.hpp>
#include <xddp/profile/jaccard.hpp>
#include <xddp/profile/json.hpp>
#include <xddp/xddp.hpp>

#include "commands.hpp"
#include "distributed.hpp"
#include "model_spec.hpp"
#include "options.hpp"
#include "table.hpp"

namespace xddp::tool {

namespace {

struct profile_options_cli {
    std::string model, neurons = "channel", layers, output = "profile.json", per_input, graphml, edges;
    std::vector<std::string> inputs;
    double threshold = 0.1;
    std::size_t batch = 8;
    unsigned threads = 0;
    bool distributed = false;
};

std::string number(double v, int digits = 6) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

// Every file a run reads, for require_distinct_outputs.
std::vector<std::filesystem::path> input_paths(const profile_options_cli& o) {
    std::vector<std::filesystem::path> in = model_paths(o.model);
    in.insert(in.end(), o.inputs.begin(), o.inputs.end());
    return in;
}

// The checks that need no model: the outputs against the inputs, before anything is read or run.
void check_command_line(const profile_options_cli& o) {
    require_usable_outputs({o.output, o.graphml, o.edges}, {o.per_input}, input_paths(o));
}

layer_selection layers_of(const profile_options_cli& o, const graph& g) {
    if (o.layers.empty()) return layer_selection::all();
    return layer_selection::only(io::parse_layer_list(o.layers, layer_groups(g).size()));
}

xt::xarray<float> load_inputs(const profile_options_cli& o, const graph& g) {
    const std::vector<std::filesystem::path> files(o.inputs.begin(), o.inputs.end());
    return io::load_batch(files, g.input_shape());
}

std::string joined(const std::vector<std::string>& files) {
    std::string s;
    for (const auto& f : files) s += (s.empty() ? "" : ", ") + f;
    return s;
}

void print_profile(const profile& p, const std::vector<layer_group>& layers) {
    table t({"layer", "name", "kind", "neurons", "of", "synapses", "counts"});
    for (const auto& l : p.layers) {
        const std::string name = l.index < layers.size() ? layers[l.index].name : "";
        std::string kind = l.index < layers.size() ? layers[l.index].kind : "";
        t.row({std::to_string(l.index), name, kind, std::to_string(l.neurons.nonzeros()), std::to_string(l.neurons.size),
               l.index ? std::to_string(l.num_synapses()) : "", std::to_string(l.neurons.total())});
    }
    t.print(std::cout);
    std::cout << to_string(p.neuron_type) << " profile of " << p.num_inputs << " input(s) at threshold " << number(p.threshold)
              << ": size " << p.size() << ", synapses " << p.num_synapses() << ", total count " << p.total() << "\n";
}

// What every run writes: the table, the profile JSON and the optional graph files, all in `out` (the
// per-input profiles are there already), committed together.
void write_results(const profile_options_cli& o, io::output_transaction& out, const profile& p,
                   const std::vector<layer_group>& layers, double seconds, const std::string& where) {
    print_profile(p, layers);
    out.write(o.output, [&](std::ostream& os) { write_profile_json(os, p); });
    if (!o.graphml.empty()) out.write(o.graphml, [&](std::ostream& os) { write_graphml(os, p); });
    if (!o.edges.empty()) out.write(o.edges, [&](std::ostream& os) { write_edge_list(os, p); });
    out.commit();
    std::cout << "wrote " << o.output << (o.per_input.empty() ? "" : " and one profile per input in " + o.per_input)
              << " (" << number(seconds, 4) << " s on " << where << ")\n";
}

std::function<void(std::size_t, const profile&)> per_input_writer(const profile_options_cli& o, io::output_transaction& out) {
    if (o.per_input.empty()) return {};
    out.create_directories(o.per_input);
    return [dir = o.per_input, &out](std::size_t i, const profile& p) {
        out.write(std::filesystem::path(dir) / ("profile_" + std::to_string(i) + ".json"),
                  [&](std::ostream& os) { write_profile_json(os, p); });
    };
}

template <neuron_policy P>
void run_profile(const profile_options_cli& o) {
    check_command_line(o);
    if (o.threads) set_num_threads(o.threads);
    auto [description, g] = load_model(o.model);
    const auto x = load_inputs(o, g);
    profile_options options{.threshold = o.threshold, .layers = layers_of(o, g)};
    profile_stage<P> stage(options);
    io::output_transaction out;
    if (auto writer = per_input_writer(o, out)) stage.on_profile(std::move(writer));
    pipeline pipe(g, std::move(stage));
    const std::size_t total = x.shape()[0];
    run_options run{.batch_size = o.batch, .progress = {}};
    if (total > o.batch)
        run.progress = [](std::size_t done, std::size_t all) {
            std::cerr << "\rprofiled " << done << " / " << all << " inputs" << (done == all ? "\n" : "") << std::flush;
        };
    std::cout << "Model " << description << ", " << total << " input(s) from " << joined(o.inputs) << "\n";
    const auto start = std::chrono::steady_clock::now();
    pipe.run(x, run);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_results(o, out, pipe.template stage<0>().class_profile(), pipe.template stage<0>().layers(), seconds,
                  std::to_string(num_threads()) + " thread(s)");
}

// One rank of `mpirun -np N xddp profile ... --distributed`: every rank reads the model and the inputs,
// profiles its shard of whole batches, and rank 0 writes the class profile a single process writes.
template <neuron_policy P>
void run_profile_distributed([[maybe_unused]] const profile_options_cli& o) {
    require_mpi("profile");
#if XDDP_WITH_MPI
    as_rank([&](const mpi::communicator& world) {
        std::optional<loaded_model> m;
        xt::xarray<float> x;
        profile_options options;
        std::function<void(std::size_t, const profile&)> writer;
        io::output_transaction out;
        mpi::on_every_rank(world, "reading the model and the inputs", [&] {
            check_command_line(o);
            if (o.threads) set_num_threads(o.threads);
            m = load_model(o.model);
            x = load_inputs(o, m->model);
            options = {.threshold = o.threshold, .layers = layers_of(o, m->model)};
            detail::profiles::check_threshold(options.threshold, "xddp profile");
            writer = per_input_writer(o, out);
        });
        const std::size_t total = x.shape()[0];
        if (world.root())
            std::cout << "Model " << m->description << ", " << total << " input(s) from " << joined(o.inputs) << " on "
                      << world.size() << " ranks\n";
        const auto start = std::chrono::steady_clock::now();
        const auto p = mpi::class_profile<P>(world, m->model, x, options, o.batch, writer);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (p) write_results(o, out, *p, layer_groups(m->model), seconds, ranks_description(world));
        else out.commit();  // this rank's per-input profiles
    });
#endif
}

}  // namespace

void add_profile_command(CLI::App& app) {
    auto o = std::make_shared<profile_options_cli>();
    auto* cmd = app.add_subcommand("profile", "Contribution profile (DeepDataProfiler) of an input, or class profile of a batch");
    cmd->add_option("model", o->model, "ARCH:WEIGHTS_DIR, ARCH (seeded weights) or an .onnx file")->required();
    cmd->add_option("input", o->inputs,
                    "input .npy: (C, H, W), or (N, C, H, W) for a class profile; several files are joined "
                    "along the batch axis")
        ->required();
    cmd->add_option("--neurons", o->neurons, "neuron policy")->check(CLI::IsMember({"channel", "element"}))->capture_default_str();
    cmd->add_option("--threshold", o->threshold, "share of each neuron's value to explain, in (0, 1]")->capture_default_str();
    cmd->add_option("--layers", o->layers, "layers to profile: A:B (the range [A, B)) or a list 1,3,5; all by default");
    cmd->add_option("-o,--output", o->output, "profile JSON to write")->capture_default_str();
    cmd->add_option("--per-input", o->per_input, "also write one profile per input into this folder");
    cmd->add_option("--graphml", o->graphml, "also write the profile graph as GraphML");
    cmd->add_option("--edges", o->edges, "also write the profile graph as an edge list");
    cmd->add_option("--batch", o->batch, "inputs per forward pass")->check(positive_integer())->capture_default_str();
    cmd->add_option("--threads", o->threads, "threads (0 = all cores; per rank with --distributed)")
        ->check(integer_in(0, UINT_MAX))
        ->capture_default_str();
    cmd->add_flag("--distributed", o->distributed,
                  "run as one rank of an MPI job (mpirun -np N xddp profile ...): each rank profiles a shard of "
                  "whole batches, rank 0 writes the same class profile as one process");
    cmd->callback([o] {
        if (o->distributed) {
            if (o->neurons == "channel") run_profile_distributed<channel_neurons>(*o);
            else run_profile_distributed<element_neurons>(*o);
        } else if (o->neurons == "channel") {
            run_profile<channel_neurons>(*o);
        } else {
            run_profile<element_neurons>(*o);
        }
    });
}

void add_compare_command(CLI::App& app) {
    struct options {
        std::string a, b;
    };
    auto o = std::make_shared<options>();
    auto* cmd = app.add_subcommand("compare", "Jaccard similarities of two profiles (JSON files)");
    cmd->add_option("a", o->a, "first profile JSON")->required();
    cmd->add_option("b", o->b, "second profile JSON")->required();
    cmd->callback([o] {
        const profile a = load_profile_json(o->a), b = load_profile_json(o->b);
        require_comparable(a, b, "profile '" + o->a + "'", "profile '" + o->b + "'");
        table t({"metric", "neurons", "synapses"});
        auto row = [&](const std::string& name, auto f) {
            t.row({name, number(f(profile_part::neurons), 9), number(f(profile_part::synapses), 9)});
        };
        row("jaccard", [&](profile_part part) { return jaccard(a, b, part); });
        row("avg_jaccard", [&](profile_part part) { return avg_jaccard(a, b, part); });
        row("instance_jaccard(a in b)", [&](profile_part part) { return instance_jaccard(a, b, part); });
        row("instance_jaccard(b in a)", [&](profile_part part) { return instance_jaccard(b, a, part); });
        t.print(std::cout);
        std::cout << "\nPer layer (jaccard_simple):\n";
        table per({"layer", "neurons", "synapses"});
        const auto neurons = layer_jaccards(a, b, profile_part::neurons);
        const auto synapses = layer_jaccards(a, b, profile_part::synapses);
        for (const auto& [layer, value] : neurons) {
            std::string s;
            for (const auto& [l, v] : synapses)
                if (l == layer) s = number(v, 9);
            per.row({std::to_string(layer), number(value, 9), s});
        }
        per.print(std::cout);
    });
}

}  // namespace xddp::tool
