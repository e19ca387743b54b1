#pragma once
// A pattern analysis as JSON, format "xddp.patterns/1" (README, `xddp patterns`):
//   { "format", "model", "kind", "num_inputs",
//     "layers": [ { "name", "kind", "kernel_shape" (channels-last), "torch_shape", "rows_per_sample",
//                   "dead", "zero_denominators", "negative_denominators",
//                   "W" | "A" | "W*A": { "sv_matrix": [...], "sv_1x1": [...], "ratio_matrix", "ratio_1x1" } } ],
//     "chain": [ { "from", "to", "W" | "A" | "W*A": { "sv": [...], "ratio" } } ],
//     "products": { "W" | "A" | "W*A": { "ratio_1x1", "ratio_chain", "sv_product_1x1", "ratio_product_1x1" } } }
// ratio = sigma1 / sigma2; a ratio that is not finite (sigma2 = 0, or one singular value) is null.
// save_pattern_arrays writes the patterns themselves as .npy, in PyTorch layout.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "xddp/core/error.hpp"
#include "xddp/io/atomic_file.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/patterns/analysis.hpp"

namespace xddp {

inline constexpr std::string_view patterns_format = "xddp.patterns/1";

namespace detail::patterns {

inline nlohmann::ordered_json number(double v) {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

inline nlohmann::ordered_json values(const xt::xtensor<double, 1>& v) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (double x : v) a.push_back(number(x));
    return a;
}

}  // namespace detail::patterns

inline nlohmann::ordered_json to_json(const pattern_analysis& a) {
    using detail::patterns::number;
    using detail::patterns::values;
    const spectrum_analysis* spectra[] = {&a.weights, &a.pattern_spectra, &a.filters};
    nlohmann::ordered_json j;
    j["format"] = patterns_format;
    j["model"] = a.model;
    j["kind"] = to_string(a.kind);
    j["num_inputs"] = a.num_inputs;
    j["layers"] = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < a.layers.size(); ++k) {
        const kernel_layer& l = a.layers[k];
        nlohmann::ordered_json o;
        o["name"] = l.name;
        o["kind"] = std::string(l.kind);
        o["kernel_shape"] = l.kernel_shape;
        o["torch_shape"] = l.torch_shape;
        o["rows_per_sample"] = l.rows_per_sample;
        o["dead"] = a.patterns[k].dead;
        o["zero_denominators"] = a.patterns[k].zero_denominators;
        o["negative_denominators"] = a.patterns[k].negative_denominators;
        for (const spectrum_analysis* s : spectra) {
            const layer_spectrum& ls = s->layers[k];
            o[s->label] = {{"sv_matrix", values(ls.matrix_values)},
                           {"sv_1x1", values(ls.one_by_one_values)},
                           {"ratio_matrix", number(ls.matrix_ratio)},
                           {"ratio_1x1", number(ls.one_by_one_ratio)}};
        }
        j["layers"].push_back(std::move(o));
    }
    j["chain"] = nlohmann::ordered_json::array();
    for (std::size_t c = 0; c < a.weights.chain.size(); ++c) {
        nlohmann::ordered_json o;
        o["from"] = a.weights.chain[c].from;
        o["to"] = a.weights.chain[c].to;
        for (const spectrum_analysis* s : spectra)
            o[s->label] = {{"sv", values(s->chain[c].values)}, {"ratio", number(s->chain[c].ratio)}};
        j["chain"].push_back(std::move(o));
    }
    j["products"] = nlohmann::ordered_json::object();
    for (const spectrum_analysis* s : spectra)
        j["products"][s->label] = {{"ratio_1x1", number(s->one_by_one_ratio_product)},
                                   {"ratio_chain", number(s->chain_ratio_product)},
                                   {"sv_product_1x1", values(s->product_values)},
                                   {"ratio_product_1x1", number(s->product_ratio)}};
    return j;
}

inline void write_patterns_json(std::ostream& os, const pattern_analysis& a) { os << to_json(a).dump(1) << '\n'; }

inline void write_patterns_json(const std::filesystem::path& path, const pattern_analysis& a) {
    io::write_atomically(path, [&](std::ostream& out) { write_patterns_json(out, a); });
}

// Writes <layer>.pattern.npy (A) and <layer>.filter.npy (W (x) A) for every kernel layer, float64, in the
// PyTorch layout of the layer's weight, into folder (created if needed), as part of `out`: the files
// appear when `out` commits.
inline void save_pattern_arrays(io::output_transaction& out, const std::filesystem::path& folder,
                                const pattern_analysis& a) {
    out.create_directories(folder);
    auto npy = [&](const std::string& name, const auto& m) {
        out.write(folder / name, [&](std::ostream& os) {
            const shape_t shape(m.shape().begin(), m.shape().end());
            io::write_npy<double>(os, m.data(), shape);
        });
    };
    for (std::size_t k = 0; k < a.layers.size(); ++k) {
        const kernel_layer& l = a.layers[k];
        auto torch = [&](const xt::xtensor<double, 2>& m) {
            return l.kind == conv2d::kind ? conv_matrix_to_torch(m, l.kernel_shape[2], l.kernel_shape[0], l.kernel_shape[1])
                                                : linear_matrix_to_torch(m, l.flatten_source);
        };
        npy(l.name + ".pattern.npy", torch(a.patterns[k].pattern));
        npy(l.name + ".filter.npy", torch(xt::xtensor<double, 2>(l.weight * a.patterns[k].pattern)));
    }
}

// The same on its own: every file appears, or (on an error) none.
inline void save_pattern_arrays(const std::filesystem::path& folder, const pattern_analysis& a) {
    io::output_transaction out;
    save_pattern_arrays(out, folder, a);
    out.commit();
}

}  // namespace xddp
