// xddp report MODEL IMAGES [--labels LABELS] -o report.html: the whole profile of a model on a data set in
// one self-contained HTML page, and every figure and table beside it as the SVG, JSON and CSV files the
// other subcommands write: the layer table with costs (summary), state-space efficiency and aIQ
// (efficiency), per-class contribution profiles, their class-by-class overlap and each class's influential
// channels per layer (profile), element and filter pruning sensitivity of every weight tensor
// (sensitivity), and the pattern ratios (patterns). Without labels the model's own predictions are the
// classes, and sensitivity is measured as agreement with the unpruned model.

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <xddp/core/threads.hpp>
#include <xddp/io/batch.hpp>
#include <xddp/io/input_file.hpp>
#include <xddp/io/labels.hpp>
#include <xddp/io/text_file.hpp>
#include <xddp/metrics/json.hpp>
#include <xddp/metrics/metrics.hpp>
#include <xddp/patterns/json.hpp>
#include <xddp/patterns/patterns.hpp>
#include <xddp/patterns/plot.hpp>
#include <xddp/pipeline/pipeline.hpp>
#include <xddp/pipeline/profile_stage.hpp>
#include <xddp/profile/class_similarity.hpp>
#include <xddp/profile/json.hpp>
#include <xddp/pruning/report.hpp>
#include <xddp/pruning/sensitivity.hpp>
#include <xddp/report/heat_map.hpp>
#include <xddp/report/html_document.hpp>
#include <xddp/state/json.hpp>
#include <xddp/state/plot.hpp>
#include <xddp/state/state.hpp>

#include "commands.hpp"
#include "model_spec.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "table.hpp"

namespace xddp::tool {

namespace {

struct report_options_cli {
    std::string model, images, labels, output = "report.html", assets, classes, levels = "0:0.9:0.1";
    double threshold = 0.1;
    std::size_t batch = 100, limit = 0;
    unsigned threads = 0;
};

// The model's class for each input: the first index of its largest output (torch.argmax), as accuracy_stage.
class prediction_stage {
public:
    static constexpr keep needs = keep::output;
    void start(const graph&, std::size_t total) {
        predictions_.clear();
        predictions_.reserve(total);
    }
    void consume(const activations& acts, std::size_t) {
        const activation& y = acts.output();
        if (y.dimension() != 2)
            throw shape_error("xddp report: the model output has shape " + to_string(shape_t(y.shape().begin(), y.shape().end())) +
                              "; expected (N, classes), a classifier");
        const std::size_t n = y.shape()[0], classes = y.shape()[1];
        for (std::size_t b = 0; b < n; ++b) {
            const float* z = y.data() + b * classes;
            predictions_.push_back(static_cast<std::int64_t>(std::max_element(z, z + classes) - z));
        }
    }
    void finish() {}
    const std::vector<std::int64_t>& predictions() const noexcept { return predictions_; }

private:
    std::vector<std::int64_t> predictions_;
};

std::filesystem::path assets_of(const report_options_cli& o) {
    if (!o.assets.empty()) return o.assets;
    std::filesystem::path p(o.output);
    return p.parent_path() / (p.stem().string() + "_files");
}

// Class names: one per line of --classes, else "0", "1", ...; as many as the model has outputs.
std::vector<std::string> class_names(const report_options_cli& o, std::size_t classes) {
    std::vector<std::string> names;
    if (!o.classes.empty()) {
        const auto bytes = io::read_regular_file(o.classes, "class names");
        std::string line;
        for (char c : bytes) {
            if (c == '\n') {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                names.push_back(line);
                line.clear();
            } else {
                line += c;
            }
        }
        if (!line.empty()) names.push_back(line);
        if (names.size() != classes)
            throw value_error("class names '" + o.classes + "' hold " + std::to_string(names.size()) +
                              " lines; the model has " + std::to_string(classes) + " outputs, expected one name per line each");
        return names;
    }
    for (std::size_t k = 0; k < classes; ++k) names.push_back("class " + std::to_string(k));
    return names;
}

std::string percent(double share, int digits = 2) { return fixed(100.0 * share, digits) + "%"; }

// The overlap of every two classes that have inputs, as CSV with the class names as header and first column.
std::string csv_matrix(const std::vector<std::vector<double>>& m, const std::vector<std::string>& names,
                       const std::vector<profile>& profiles) {
    std::vector<std::size_t> present;
    for (std::size_t i = 0; i < m.size(); ++i)
        if (profiles[i].num_inputs) present.push_back(i);
    std::string s = "class";
    for (std::size_t i : present) s += "," + detail::csv_field(names[i]);
    s += '\n';
    for (std::size_t i : present) {
        s += detail::csv_field(names[i]);
        for (std::size_t j : present) s += "," + python_repr(m[i][j]);
        s += '\n';
    }
    return s;
}

inline constexpr std::size_t max_shown_classes = 40;

// Everything the run computes, then written and summarised.
struct report_data {
    std::string description;
    std::vector<std::string> classes;
    bool labelled = false;
    std::size_t inputs = 0;
    metrics::model_cost cost;
    std::optional<std::size_t> correct;
    efficiency_report efficiency;
    std::vector<profile> class_profiles;
    // presence[class][layer][neuron]: the number of the class's inputs for which the neuron is influential
    // (a class profile's count adds every input's count, which may exceed 1 per input).
    std::vector<std::map<std::size_t, std::vector<std::uint64_t>>> presence;
    std::vector<layer_group> layers;
    std::vector<std::vector<double>> similarity;
    // The classes the class figures show: those with inputs, at most max_shown_classes (the most inputs),
    // in class order. A 1000-class model on a few inputs shows a few rows, not a 1000 x 1000 map.
    std::vector<std::size_t> shown;
    std::vector<sensitivity_row> element, filter;
    std::optional<pattern_analysis> patterns;
    std::string patterns_unavailable;
    double seconds = 0;
};

// The tensor that keeps the most (or least) top-1 at the sweep's largest sparsity.
struct tensor_at_max {
    std::string parameter;
    double sparsity = 0, top1 = 0, top1_unpruned = 0;
};
tensor_at_max extreme_tensor(const std::vector<sensitivity_row>& rows, bool most_prunable) {
    double max_level = 0;
    for (const auto& r : rows) max_level = std::max(max_level, r.sparsity);
    tensor_at_max best;
    bool found = false;
    for (const auto& r : rows)
        if (r.sparsity == max_level && (!found || (most_prunable ? r.result.top1 > best.top1 : r.result.top1 < best.top1))) {
            best = {r.parameter, r.sparsity, r.result.top1, 0};
            found = true;
        }
    for (const auto& r : rows)
        if (r.parameter == best.parameter && r.sparsity == 0) best.top1_unpruned = r.result.top1;
    return best;
}

void compute(const report_options_cli& o, report_data& d, progress_bar& bar, graph& g) {
    xt::xarray<float> images = io::load_batch(std::filesystem::path(o.images), g.input_shape());
    std::vector<std::int64_t> labels;
    if (!o.labels.empty()) labels = io::load_labels(o.labels, images.shape()[0]);
    if (o.limit && o.limit < images.shape()[0]) {  // the first `limit` inputs (and their labels)
        shape_t shape(images.shape().begin(), images.shape().end());
        shape[0] = o.limit;
        xt::xarray<float> first = xt::xarray<float>::from_shape(shape);
        std::copy(images.data(), images.data() + first.size(), first.data());
        images = std::move(first);
        if (!labels.empty()) labels.resize(o.limit);
    }
    d.inputs = images.shape()[0];
    d.labelled = !labels.empty();
    d.cost = metrics::analyze(g, 1);
    const shape_t out = g[g.output()].shape;
    if (out.size() != 1)
        throw shape_error("xddp report: the model output has sample shape " + to_string(out) +
                          "; expected (classes,), a classifier");
    d.classes = class_names(o, out[0]);
    for (std::int64_t l : labels)
        if (static_cast<std::uint64_t>(l) >= d.classes.size())
            throw value_error("labels '" + o.labels + "': label " + std::to_string(l) + " is not a class of the " +
                              std::to_string(d.classes.size()) + "-class output");

    // One forward pass per batch feeds the predictions, the state capture and the contribution profiles.
    bar.begin("forward, states, profiles");
    const std::vector<std::string> attach{"conv2d", "linear"};
    const capture_options capture = capture_options::attach_to(attach, {}, capture_where::after);
    std::vector<class_profile_sum> sums(d.classes.size());
    d.presence.assign(d.classes.size(), {});
    profile_stage<channel_neurons> profiles(profile_options{.threshold = o.threshold});
    pipeline p(g, prediction_stage{}, state_capture<exact_hash>(capture), std::move(profiles));
    const auto& predicted = p.template stage<0>().predictions();
    p.template stage<2>().on_profile([&](std::size_t i, const profile& pr) {
        const auto c = static_cast<std::size_t>(d.labelled ? labels[i] : predicted[i]);
        for (const auto& l : pr.layers) {
            auto& seen = d.presence[c][l.index];
            seen.resize(std::max(seen.size(), l.neurons.size));
            for (std::size_t k = 0; k < l.neurons.index.size(); ++k)
                if (l.neurons.count[k] && l.neurons.index[k] < seen.size()) ++seen[l.neurons.index[k]];
        }
        sums[c].add(i, pr);
    });
    p.run(images, {.batch_size = o.batch, .progress = [&](std::size_t done, std::size_t total) {
                       bar.update(static_cast<double>(done) / static_cast<double>(total),
                                  std::to_string(done) + " / " + std::to_string(total) + " inputs");
                   }});
    const std::vector<std::int64_t> targets = d.labelled ? labels : predicted;
    std::size_t correct = 0;
    for (std::size_t i = 0; i < d.inputs; ++i) correct += predicted[i] == targets[i];
    std::optional<double> accuracy;
    if (d.labelled) {
        d.correct = correct;
        accuracy = static_cast<double>(correct) / static_cast<double>(d.inputs);
    }
    d.efficiency = make_efficiency_report(p.template stage<1>(), g, accuracy, 2);
    d.efficiency.model = d.description;
    d.layers = p.template stage<2>().layers();
    for (auto& s : sums) d.class_profiles.push_back(s.total());
    d.similarity = class_similarity_matrix(d.class_profiles);
    for (std::size_t c = 0; c < d.class_profiles.size(); ++c)
        if (d.class_profiles[c].num_inputs) d.shown.push_back(c);
    if (d.shown.size() > max_shown_classes) {
        std::stable_sort(d.shown.begin(), d.shown.end(), [&](std::size_t a, std::size_t b) {
            return d.class_profiles[a].num_inputs > d.class_profiles[b].num_inputs;
        });
        d.shown.resize(max_shown_classes);
        std::sort(d.shown.begin(), d.shown.end());
    }

    // Pruning sensitivity of every weight tensor, element-wise and by filters.
    const std::vector<double> levels = parse_sparsity_levels(o.levels);
    for (prune_mode mode : {prune_mode::element, prune_mode::filter}) {
        const std::string name = mode == prune_mode::element ? "sensitivity (element)" : "sensitivity (filter)";
        bar.begin(name);
        sensitivity_options so{.mode = mode, .levels = levels, .batch = o.batch};
        so.progress = [&](std::size_t done, std::size_t total) {
            bar.update(static_cast<double>(done) / static_cast<double>(total),
                       std::to_string(done) + " / " + std::to_string(total) + " pruned models");
        };
        try {
            (mode == prune_mode::element ? d.element : d.filter) = sensitivity_sweep(g, images, targets, so);
        } catch (const value_error&) {
            if (mode == prune_mode::element) throw;  // filter pruning needs a conv; a model without one has no rows
        }
    }

    // The pattern analysis where the model is one it handles (conv/linear/ReLU/max-pool chains).
    bar.begin("patterns");
    try {
        const auto stats = collect_pattern_statistics(g, images, o.batch, [&](std::size_t done, std::size_t total) {
            bar.update(static_cast<double>(done) / static_cast<double>(total),
                       std::to_string(done) + " / " + std::to_string(total) + " images");
        });
        d.patterns = analyse_patterns(stats, pattern_kind::relu, d.description);
    } catch (const unsupported_error& e) {
        d.patterns_unavailable = e.what();
    }
}

// The class x neuron shares of one layer: for how many of each class's inputs a channel is influential.
std::vector<std::vector<double>> neuron_shares(const report_data& d, std::size_t layer, std::size_t neurons) {
    std::vector<std::vector<double>> m(d.shown.size(), std::vector<double>(neurons, 0.0));
    for (std::size_t row = 0; row < d.shown.size(); ++row) {
        const std::size_t c = d.shown[row];
        const auto it = d.presence[c].find(layer);
        const double inputs = static_cast<double>(d.class_profiles[c].num_inputs);
        if (it == d.presence[c].end() || inputs == 0) continue;
        for (std::size_t k = 0; k < neurons && k < it->second.size(); ++k) m[row][k] = static_cast<double>(it->second[k]) / inputs;
    }
    return m;
}

std::string file_name_part(const std::string& s) {
    std::string out;
    for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
    return out;
}

struct summary_lines {
    std::vector<std::string> lines;
};

summary_lines summarise(const report_data& d) {
    summary_lines s;
    if (d.correct)
        s.lines.push_back("accuracy: " + percent(static_cast<double>(*d.correct) / static_cast<double>(d.inputs)) + " (" +
                          std::to_string(*d.correct) + " of " + std::to_string(d.inputs) + " inputs)");
    else
        s.lines.push_back("accuracy: no labels given; the model's own predictions stand for the classes");
    if (!d.efficiency.layers.empty()) {
        auto [lo, hi] = std::minmax_element(d.efficiency.layers.begin(), d.efficiency.layers.end(),
                                            [](const auto& a, const auto& b) { return a.efficiency < b.efficiency; });
        s.lines.push_back("most efficient layer: " + hi->node + " (" + percent(hi->efficiency) + "); least efficient: " +
                          lo->node + " (" + percent(lo->efficiency) + "); network efficiency " +
                          percent(d.efficiency.network_efficiency) +
                          (d.efficiency.aiq ? ", aIQ " + percent(*d.efficiency.aiq) : ""));
    }
    if (!d.element.empty()) {
        const tensor_at_max most = extreme_tensor(d.element, true), least = extreme_tensor(d.element, false);
        const std::string what = d.labelled ? "top-1 " : "agreement ";
        s.lines.push_back("most prunable tensor: " + most.parameter + " (" + what + fixed(most.top1_unpruned, 2) + "% -> " +
                          fixed(most.top1, 2) + "% at " + fixed(100 * most.sparsity, 0) + "% of its weights pruned)");
        s.lines.push_back("most sensitive tensor: " + least.parameter + " (" + what + fixed(least.top1_unpruned, 2) + "% -> " +
                          fixed(least.top1, 2) + "% at " + fixed(100 * least.sparsity, 0) + "%)");
    }
    std::size_t bi = 0, bj = 0;
    double best = -1;
    for (std::size_t i = 0; i < d.similarity.size(); ++i)
        for (std::size_t j = i + 1; j < d.similarity.size(); ++j)
            if (d.class_profiles[i].num_inputs && d.class_profiles[j].num_inputs && d.similarity[i][j] > best)
                best = d.similarity[i][j], bi = i, bj = j;
    if (best >= 0)
        s.lines.push_back("classes whose profiles overlap most: " + d.classes[bi] + " and " + d.classes[bj] +
                          " (weighted Jaccard " + fixed(best, 3) + ")");
    return s;
}

void print_tables(const report_data& d) {
    table eff({"layer", "neurons", "distinct states", "efficiency"});
    for (const auto& l : d.efficiency.layers)
        eff.row({l.node, std::to_string(l.neurons), std::to_string(l.distinct_states), percent(l.efficiency)});
    std::cout << "\nState-space efficiency\n";
    eff.print(std::cout);
    if (!d.element.empty()) {
        double max_level = 0;
        for (const auto& r : d.element) max_level = std::max(max_level, r.sparsity);
        table sens({"tensor", "top-1 unpruned", "element @" + fixed(100 * max_level, 0) + "%", "filter @" + fixed(100 * max_level, 0) + "%"});
        for (const auto& r : d.element) {
            if (r.sparsity != 0) continue;
            std::string at_max, filter_at_max = "";
            for (const auto& q : d.element)
                if (q.parameter == r.parameter && q.sparsity == max_level) at_max = fixed(q.result.top1, 2);
            for (const auto& q : d.filter)
                if (q.parameter == r.parameter && q.sparsity == max_level) filter_at_max = fixed(q.result.top1, 2);
            sens.row({r.parameter, fixed(r.result.top1, 2), at_max, filter_at_max});
        }
        std::cout << "\nPruning sensitivity (" << (d.labelled ? "top-1 %" : "agreement with the unpruned model, %") << ")\n";
        sens.print(std::cout);
    }
    std::cout << "\nClass profiles: overlap (weighted Jaccard) with the closest other class\n";
    table cls({"class", "inputs", "closest", "overlap"});
    for (std::size_t i : d.shown) {
        std::size_t best = i;
        for (std::size_t j = 0; j < d.similarity.size(); ++j)
            if (j != i && d.class_profiles[j].num_inputs && (best == i || d.similarity[i][j] > d.similarity[i][best])) best = j;
        cls.row({d.classes[i], std::to_string(d.class_profiles[i].num_inputs), best == i ? "" : d.classes[best],
                 best == i ? "" : fixed(d.similarity[i][best], 3)});
    }
    cls.print(std::cout);
}

void write_report(const report_options_cli& o, const report_data& d, const graph& g, const summary_lines& summary) {
    namespace fs = std::filesystem;
    const fs::path assets = assets_of(o);
    const std::string folder = assets.filename().string();
    io::output_transaction out;  // the page and every file beside it, or nothing
    out.create_directories(assets);
    out.create_directories(assets / "class_profiles");
    auto rel = [&](const std::string& file) { return folder + "/" + file; };
    report::html_document page("xddp report: " + d.description);
    page.paragraph(std::to_string(d.inputs) + " inputs from " + o.images + (o.limit ? " (the first " + std::to_string(o.limit) + ")" : "") +
                   (d.labelled ? ", labels from " + o.labels : ", no labels (the model's predictions are the classes)") +
                   "; computed in " + fixed(d.seconds, 1) + " s on " + std::to_string(num_threads()) + " thread(s).", "note");
    page.list(summary.lines, "summary");

    // The model.
    page.heading("Model: layers and costs", 2, "model");
    std::vector<std::vector<std::string>> rows;
    std::string csv = "layer,kind,output_shape,params,macs,output_bytes\n";
    for (const auto& r : d.cost.layers) {
        rows.push_back({r.name, r.kind, to_string(r.output_shape), std::to_string(r.cost.params),
                        std::to_string(r.cost.macs(mac_convention::common)), std::to_string(r.cost.activation_bytes)});
        csv += detail::csv_field(r.name) + "," + detail::csv_field(r.kind) + "," + detail::csv_field(to_string(r.output_shape)) + "," +
               std::to_string(r.cost.params) + "," + std::to_string(r.cost.macs(mac_convention::common)) + "," +
               std::to_string(r.cost.activation_bytes) + "\n";
    }
    rows.push_back({"total", "", "", std::to_string(d.cost.params()), std::to_string(d.cost.macs(mac_convention::common)),
                    "peak " + std::to_string(d.cost.peak_activation_bytes)});
    page.table({"layer", "kind", "output (batch 1)", "parameters", "MACs", "output bytes"}, rows);
    out.write_text(assets / "layers.csv", csv);
    metrics::profiler mp(g, d.description);
    out.write(assets / "metrics.json", [&](std::ostream& os) { metrics::write_json(os, metrics::to_json(mp, metrics::default_keys(mp, false))); });

    // Efficiency.
    page.heading("State-space efficiency", 2, "efficiency");
    page.paragraph("TensorState: each capture point's states (the sign pattern of its channels per position) counted over all "
                   "inputs; efficiency = entropy of the states / neurons; aIQ weighs the network efficiency against the "
                   "accuracy (beta 2)." + std::string(d.labelled ? "" : " No labels: no accuracy, no aIQ."));
    const std::string eff_svg = efficiency_svg(d.efficiency);
    page.figure(eff_svg, "Efficiency per layer; the dashed line is the network efficiency (geometric mean).", rel("efficiency.svg"));
    out.write_text(assets / "efficiency.svg", eff_svg);
    out.write(assets / "efficiency.json", [&](std::ostream& os) { write_efficiency_json(os, d.efficiency); });

    // Class profiles.
    page.heading("Class profiles", 2, "profiles");
    page.paragraph("DeepDataProfiler channel profiles at threshold " + number_text(o.threshold) + ", added up per " +
                   (d.labelled ? "label" : "predicted class") + ". Two classes overlap by the weighted Jaccard of how often "
                   "each neuron is influential for their inputs (1: the same neurons equally often; 0: none shared).");
    std::vector<std::string> shown_names;
    std::vector<std::vector<double>> shown_similarity;
    for (std::size_t i : d.shown) {
        shown_names.push_back(d.classes[i]);
        shown_similarity.emplace_back();
        for (std::size_t j : d.shown) shown_similarity.back().push_back(d.similarity[i][j]);
    }
    if (d.shown.size() < d.classes.size())
        page.paragraph("The figures show the " + std::to_string(d.shown.size()) + " classes " +
                       (d.shown.size() == max_shown_classes ? "with the most inputs" : "that have inputs") + " of the model's " +
                       std::to_string(d.classes.size()) + "; class_overlap.csv holds every class that has inputs.", "note");
    const std::string heat = report::heat_map_svg(shown_similarity, shown_names, shown_names,
                                                  {.title = "Class-by-class overlap of the profiles", .row_axis = "class",
                                                   .column_axis = "class"});
    page.figure(heat, "Weighted Jaccard of the class profiles.", rel("class_overlap.svg"));
    out.write_text(assets / "class_overlap.svg", heat);
    out.write_text(assets / "class_overlap.csv", csv_matrix(d.similarity, d.classes, d.class_profiles));
    for (std::size_t c = 0; c < d.class_profiles.size(); ++c)
        if (d.class_profiles[c].num_inputs)
            out.write(assets / "class_profiles" / ("class_" + std::to_string(c) + ".json"),
                      [&](std::ostream& os) { write_profile_json(os, d.class_profiles[c]); });
    page.heading("Influential channels per layer", 3);
    page.paragraph("For each profiled layer: the share of each class's inputs for which a channel (or feature) is influential.");
    for (const auto& l : d.layers) {
        if (l.index == 0) continue;  // the input's channels
        const profile* any = nullptr;
        for (const auto& p : d.class_profiles)
            if (p.find(l.index)) any = &p;
        if (!any) continue;
        const std::size_t neurons = any->find(l.index)->neurons.size;
        std::vector<std::string> columns;
        for (std::size_t k = 0; k < neurons; ++k) columns.push_back(std::to_string(k));
        const std::string svg = report::heat_map_svg(neuron_shares(d, l.index, neurons), shown_names, columns,
                                                     {.title = "Layer " + std::to_string(l.index) + ": " + l.name + " (" + l.kind + ")",
                                                      .row_axis = "class", .column_axis = "channel", .value_digits = 1});
        const std::string file = "channels_" + std::to_string(l.index) + "_" + file_name_part(l.name) + ".svg";
        page.figure(svg, "Layer " + std::to_string(l.index) + " (" + l.name + "): influential channels per class.", rel(file));
        out.write_text(assets / file, svg);
    }

    // Sensitivity.
    page.heading("Pruning sensitivity", 2, "sensitivity");
    page.paragraph("Distiller's sweep: each weight tensor pruned alone (by L1 magnitude of its elements, or of whole filters), "
                   "the rest of the model untouched; " +
                   std::string(d.labelled ? "top-1 and top-5 accuracy on the labelled inputs."
                                          : "without labels, accuracy against the unpruned model's own predictions."));
    for (const auto* rows_of : {&d.element, &d.filter}) {
        const bool element = rows_of == &d.element;
        const std::string name = element ? "element" : "filter";
        if (rows_of->empty()) {
            page.paragraph("No " + name + " rows: the model has no tensor this mode prunes.", "note");
            continue;
        }
        const std::string svg = sensitivity_svg(*rows_of, "Pruning sensitivity (" + name + ")");
        page.figure(svg, std::string(element ? "Element" : "Filter") + " pruning: accuracy versus sparsity, one line per tensor.",
                    rel("sensitivity_" + name + ".svg"));
        out.write_text(assets / ("sensitivity_" + name + ".svg"), svg);
        out.write_text(assets / ("sensitivity_" + name + ".csv"), sensitivity_csv(*rows_of));
    }

    // Patterns.
    page.heading("Pattern analysis", 2, "patterns");
    if (d.patterns) {
        page.paragraph("PatternNet's patterns A estimated from the inputs, and the ratio sigma1 / sigma2 of W, A and W (x) A "
                       "(\"When Explanations Lie\"): ratios that grow along the layers mean PatternAttribution's maps "
                       "collapse onto one direction.");
        const std::string svg = pattern_ratios_svg(*d.patterns);
        page.figure(svg, "sigma1 / sigma2 per layer and along the chain.", rel("patterns.svg"));
        out.write_text(assets / "patterns.svg", svg);
        out.write(assets / "patterns.json", [&](std::ostream& os) { write_patterns_json(os, *d.patterns); });
    } else {
        page.paragraph("Not available for this model: " + d.patterns_unavailable, "note");
    }

    page.heading("Files", 2, "files");
    std::vector<std::pair<std::string, std::string>> files;
    for (const char* f : {"layers.csv", "metrics.json", "efficiency.json", "efficiency.svg", "class_overlap.csv",
                          "class_overlap.svg", "sensitivity_element.csv", "sensitivity_filter.csv", "patterns.json"})
        files.emplace_back(rel(f), f);
    page.links(files);
    out.write_text(o.output, page.str());
    out.commit();
}

void run_report(report_options_cli o) {
    std::vector<std::filesystem::path> inputs = model_paths(o.model);
    inputs.push_back(o.images);
    if (!o.labels.empty()) inputs.push_back(o.labels);
    if (!o.classes.empty()) inputs.push_back(o.classes);
    require_usable_outputs({o.output}, {assets_of(o)}, inputs);
    detail::profiles::check_threshold(o.threshold, "xddp report");
    parse_sparsity_levels(o.levels);
    if (o.threads) set_num_threads(o.threads);
    const auto start = std::chrono::steady_clock::now();
    auto [description, g] = load_model(o.model);
    report_data d;
    d.description = description;
    progress_bar bar({{"forward, states, profiles", 2}, {"sensitivity (element)", 5}, {"sensitivity (filter)", 3}, {"patterns", 1}});
    compute(o, d, bar, g);
    bar.done();
    d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "Model " << description << ", " << d.inputs << " inputs from " << o.images << "\n";
    print_tables(d);
    const summary_lines summary = summarise(d);
    write_report(o, d, g, summary);
    std::cout << "\nSummary\n";
    for (const auto& l : summary.lines) std::cout << "  " << l << '\n';
    std::cout << "\nReport: " << o.output << " (figures and tables in " << assets_of(o).string() << "/; " << fixed(d.seconds, 1)
              << " s on " << num_threads() << " thread(s))\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
    auto o = std::make_shared<report_options_cli>();
    auto* cmd = app.add_subcommand("report",
                                   "Everything at once on a data set, as one self-contained HTML page: layer costs, "
                                   "efficiency and aIQ, class profiles and their overlap, pruning sensitivity, patterns");
    cmd->add_option("model", o->model, "ARCH:WEIGHTS_DIR, ARCH (seeded weights) or an .onnx file")->required();
    cmd->add_option("images", o->images, "images: .npy (N, C, H, W) float32, or IDX (gzipped or not)")->required();
    cmd->add_option("--labels", o->labels, "labels: .npy (N,) int64/int32, or IDX; without them the model's predictions are the classes");
    cmd->add_option("-o,--output", o->output, "the HTML page to write")->capture_default_str();
    cmd->add_option("--assets", o->assets, "folder for the standalone SVG, JSON and CSV files (default: <output stem>_files beside it)");
    cmd->add_option("--classes", o->classes, "class names, one per line, in output order");
    cmd->add_option("--threshold", o->threshold, "profile threshold, in (0, 1]")->capture_default_str();
    cmd->add_option("--levels", o->levels, "sparsity levels of the sweeps: FIRST:LAST:STEP or a list 0,0.5,0.9")->capture_default_str();
    cmd->add_option("--limit", o->limit, "use only the first N inputs (0: all)")->check(non_negative_integer())->capture_default_str();
    cmd->add_option("--batch", o->batch, "inputs per forward pass")->check(positive_integer())->capture_default_str();
    cmd->add_option("--threads", o->threads, "threads (0 = all cores)")->check(integer_in(0, UINT_MAX))->capture_default_str();
    cmd->callback([o] { run_report(*o); });
}

}  // namespace xddp::tool
