// xddp forward MODEL INPUT.npy: the model's layers with their shapes, and the prediction per input.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <numeric>

#include <xddp/io/batch.hpp>
#include <xddp/xddp.hpp>

#include "commands.hpp"
#include "model_spec.hpp"
#include "options.hpp"
#include "table.hpp"

namespace xddp::tool {

namespace {

void print_layers(const graph& g) {
    table t({"#", "node", "kind", "output (per sample)", "parameters"});
    std::size_t total = 0;
    for (node_id id = 0; id < g.size(); ++id) {
        const node& n = g[id];
        std::size_t params = 0;
        if (n.layer)
            for (const auto& p : const_cast<any_layer&>(*n.layer).parameters()) params += element_count(p.shape);
        total += params;
        t.row({std::to_string(id), n.name, n.layer ? std::string(n.layer->kind()) : "input", to_string(n.shape),
               params ? std::to_string(params) : ""});
    }
    t.print(std::cout);
    std::cout << "total parameters: " << total << "\n\n";
}

void print_profile_layers(const graph& g) {
    table t({"layer", "name", "kind", "shape", "from", "nodes"});
    for (const auto& l : layer_groups(g)) {
        std::string from, nodes;
        for (auto p : l.predecessors) from += (from.empty() ? "" : ",") + std::to_string(p);
        for (auto id : l.nodes) nodes += (nodes.empty() ? "" : " + ") + g[id].name;
        t.row({std::to_string(l.index), l.name, l.kind, to_string(l.shape), from, nodes});
    }
    std::cout << "Profile layers (DeepDataProfiler grouping):\n";
    t.print(std::cout);
    std::cout << '\n';
}

void print_predictions(const activation& logits, std::size_t top) {
    const std::size_t n = logits.shape()[0], classes = logits.size() / n;
    for (std::size_t b = 0; b < n; ++b) {
        const float* z = logits.data() + b * classes;
        const float peak = *std::max_element(z, z + classes);
        double sum = 0;
        for (std::size_t k = 0; k < classes; ++k) sum += std::exp(double(z[k]) - peak);
        std::vector<std::size_t> order(classes);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto c) { return z[a] > z[c]; });
        std::cout << "input " << b << ": predicted class " << order[0] << "\n";
        table t({"class", "logit", "probability"});
        for (std::size_t k = 0; k < std::min(top, classes); ++k)
            t.row({std::to_string(order[k]), fixed(z[order[k]], 6), fixed(std::exp(double(z[order[k]]) - peak) / sum, 4)});
        t.print(std::cout);
    }
}

}  // namespace

void add_forward_command(CLI::App& app) {
    struct options {
        std::string model, input;
        std::size_t top = 5;
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand("forward", "Run a model on inputs: its layers, shapes and predictions");
    cmd->add_option("model", opt->model, "ARCH:WEIGHTS_DIR or ARCH (seeded weights)")->required();
    cmd->add_option("input", opt->input, "input .npy, (N, C, H, W) or (C, H, W) float32")->required();
    cmd->add_option("--top", opt->top, "classes to show per input")->check(positive_integer())->capture_default_str();
    cmd->callback([opt] {
        auto [description, g] = load_model(opt->model);
        const auto x = io::load_batch(std::filesystem::path(opt->input), g.input_shape());
        std::cout << "Model " << description << ", input " << opt->input << " "
                  << to_string(shape_t(x.shape().begin(), x.shape().end())) << "\n\n";
        print_layers(g);
        print_profile_layers(g);
        const auto start = std::chrono::steady_clock::now();
        const activation logits = g(x);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        print_predictions(logits, opt->top);
        std::cout << "\nforward pass: " << fixed(ms, 3) << " ms on " << num_threads() << " thread(s)\n";
    });
}

}  // namespace xddp::tool
