// xddp patterns MODEL IMAGES.npy: PatternNet patterns estimated from the images and the SVD analysis of
// "When Explanations Lie": sigma1 / sigma2 of W, A and W (x) A per layer and along the layer chain, printed
// as tables, written as JSON, optionally plotted as SVG and the patterns saved as .npy.

#include <chrono>
#include <climits>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <xddp/core/threads.hpp>
#include <xddp/io/batch.hpp>
#include <xddp/patterns/json.hpp>
#include <xddp/patterns/patterns.hpp>

#include "commands.hpp"
#include "model_spec.hpp"
#include "options.hpp"
#include "table.hpp"

namespace xddp::tool {

namespace {

struct patterns_options_cli {
    std::string model, images, kind = "relu", output = "patterns.json", plot, save;
    std::size_t batch = 32;
    unsigned threads = 0;
};

std::string ratio(double v) {
    if (std::isnan(v)) return "n/a";
    if (std::isinf(v)) return "inf";
    return fixed(v, 4);
}

std::string shape_text(const shape_t& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
    return out;
}

void run_patterns(const patterns_options_cli& o) {
    std::vector<std::filesystem::path> inputs = model_paths(o.model);
    inputs.push_back(o.images);
    require_usable_outputs({o.output, o.plot}, {o.save}, inputs);
    const pattern_kind kind = parse_pattern_kind(o.kind);
    if (o.threads) set_num_threads(o.threads);
    auto [description, g] = load_model(o.model);
    const auto images = io::load_batch(std::filesystem::path(o.images), g.input_shape());
    std::cout << "Model " << description << ", " << (images.dimension() ? images.shape()[0] : 0) << " images from "
              << o.images << ", " << o.kind << " patterns\n";
    const auto start = std::chrono::steady_clock::now();
    const auto stats = collect_pattern_statistics(g, images, o.batch, [](std::size_t done, std::size_t total) {
        std::cerr << "\rstatistics: " << done << " / " << total << " images" << (done == total ? "\n" : "") << std::flush;
    });
    const auto a = analyse_patterns(stats, kind, description);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::cout << "\nsigma1 / sigma2 per layer (matrix view and 1x1 view)\n";
    table layers({"layer", "kernel", "dead", "neg.denom", "W", "W 1x1", "A", "A 1x1", "W*A", "W*A 1x1"});
    for (std::size_t k = 0; k < a.layers.size(); ++k)
        layers.row({a.layers[k].name, shape_text(a.layers[k].kernel_shape), std::to_string(a.patterns[k].dead),
                    std::to_string(a.patterns[k].negative_denominators), ratio(a.weights.layers[k].matrix_ratio),
                    ratio(a.weights.layers[k].one_by_one_ratio), ratio(a.pattern_spectra.layers[k].matrix_ratio),
                    ratio(a.pattern_spectra.layers[k].one_by_one_ratio), ratio(a.filters.layers[k].matrix_ratio),
                    ratio(a.filters.layers[k].one_by_one_ratio)});
    layers.row({"product (1x1)", "", "", "", "", ratio(a.weights.one_by_one_ratio_product), "",
                ratio(a.pattern_spectra.one_by_one_ratio_product), "", ratio(a.filters.one_by_one_ratio_product)});
    layers.print(std::cout);

    std::cout << "\nsigma1 / sigma2 along the chain (1x1 views)\n";
    table chain({"from", "to", "W", "A", "W*A"});
    for (std::size_t c = 0; c < a.weights.chain.size(); ++c)
        chain.row({a.weights.chain[c].from, a.weights.chain[c].to, ratio(a.weights.chain[c].ratio),
                   ratio(a.pattern_spectra.chain[c].ratio), ratio(a.filters.chain[c].ratio)});
    chain.row({"product", "", ratio(a.weights.chain_ratio_product), ratio(a.pattern_spectra.chain_ratio_product),
               ratio(a.filters.chain_ratio_product)});
    chain.print(std::cout);

    // Every output or none: written first, then renamed into place together.
    io::output_transaction out;
    out.write(o.output, [&](std::ostream& os) { write_patterns_json(os, a); });
    if (!o.plot.empty()) out.write_text(o.plot, pattern_ratios_svg(a));
    if (!o.save.empty()) save_pattern_arrays(out, o.save, a);
    out.commit();
    std::cout << "\nwrote " << o.output;
    if (!o.plot.empty()) std::cout << ", " << o.plot;
    if (!o.save.empty()) std::cout << ", patterns in " << o.save;
    std::cout << " (" << fixed(seconds, 3) << " s on " << num_threads() << " thread(s))\n";
}

}  // namespace

void add_patterns_command(CLI::App& app) {
    auto o = std::make_shared<patterns_options_cli>();
    auto* cmd = app.add_subcommand("patterns",
                                   "PatternNet patterns and the SVD analysis of PatternAttribution "
                                   "('When Explanations Lie'): sigma1/sigma2 of W, A and W*A per layer and "
                                   "along the layer chain");
    cmd->add_option("model", o->model, "ARCH:WEIGHTS_DIR, ARCH (seeded weights) or an .onnx file")->required();
    cmd->add_option("images", o->images, "images .npy, (N, C, H, W) float32")->required();
    cmd->add_option("--kind", o->kind, "pattern kind: which rows count (relu: z > 0; linear: all; relu.negative: z <= 0)")
        ->check(CLI::IsMember({"relu", "linear", "relu.negative"}))
        ->capture_default_str();
    cmd->add_option("-o,--output", o->output, "JSON to write (format xddp.patterns/1)")->capture_default_str();
    cmd->add_option("--plot", o->plot, "also write an SVG plot of the ratios of W and W*A");
    cmd->add_option("--save-patterns", o->save, "also write <layer>.pattern.npy and <layer>.filter.npy (W*A), "
                                                "float64 in PyTorch layout, into this folder");
    cmd->add_option("--batch", o->batch, "images per progress step")->check(positive_integer())->capture_default_str();
    cmd->add_option("--threads", o->threads, "threads (0 = all cores)")->check(integer_in(0, UINT_MAX))->capture_default_str();
    cmd->callback([o] { run_patterns(*o); });
}

}  // namespace xddp::tool
