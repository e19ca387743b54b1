#pragma once
// Terminal reports of model metrics, in deeplite-profiler's layout (golden/metrics/deeplite_display_resnet18.txt):
// the status table of one model, the comparison of two (per metric a - b, or b / a as "x"), and the
// layer-wise table.

#include <cstdio>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/metrics/model_cost.hpp"
#include "xddp/metrics/profiler.hpp"

namespace xddp::metrics {

namespace detail {

inline std::string format(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}
inline std::string right(std::string_view s, std::size_t width) {
    return s.size() >= width ? std::string(s) : std::string(width - s.size(), ' ') + std::string(s);
}
// Python's str.center: the odd space goes right unless both the margin and the width are odd.
inline std::string center(std::string_view s, std::size_t width) {
    if (s.size() >= width) return std::string(s);
    const std::size_t margin = width - s.size(), left = margin / 2 + (margin & width & 1);
    return std::string(left, ' ') + std::string(s) + std::string(margin - left, ' ');
}
inline std::string rule(std::span<const std::size_t> widths) {
    std::string s = "+";
    for (auto w : widths) s += std::string(w, '-') + "+";
    return s;
}
inline std::string notes(const profiler& p, std::span<const std::string> keys) {
    std::string s = "Note: \n";
    for (const auto& k : keys) s += "* " + p.info(k).name + ": " + p.info(k).description + "\n";
    return s;
}

}  // namespace detail

// The metrics a report shows by default, in deeplite's order: the evaluation metric when one is set, the
// static metrics, latency when asked for, then user metrics.
inline std::vector<std::string> default_keys(const profiler& p, bool with_latency) {
    std::vector<std::string> keys;
    auto builtin = [](const std::string& k) {
        for (const auto& b : builtin_metrics)
            if (b.key == k) return true;
        return false;
    };
    if (p.has_evaluation()) keys.push_back("eval_metric");
    for (const char* k : {"model_size_mib", "macs", "params", "memory_footprint_mib", "peak_activation_bytes"}) keys.push_back(k);
    if (with_latency) keys.push_back("latency_ms");
    if (p.has_evaluation()) keys.push_back("inference_time_s");
    for (const auto& k : p.keys())
        if (!builtin(k)) keys.push_back(k);
    return keys;
}

// One model: "| Param Name (name) | Value |" rows, values x scaling with 4 decimals.
inline void print_status(std::ostream& out, const profiler& p, std::span<const std::string> keys,
                         std::string_view title = "xddp Profiler", std::string_view backend = "host") {
    const std::size_t widths[] = {41, 21};
    const std::string line = detail::rule(widths);
    out << "+" << std::string(line.size() - 2, '-') << "+\n";
    out << "|" << detail::center(title, line.size() - 2) << "|\n" << line << '\n';
    out << "|" << detail::right("Param Name (" + p.name() + ")", 40) << " |" << detail::right("Value", 21) << "|\n";
    out << "|" << detail::right("Backend: " + std::string(backend), 40) << " |" << std::string(21, ' ') << "|\n" << line << '\n';
    for (const auto& k : keys) {
        const metric_info& m = p.info(k);
        out << "|" << detail::right(m.label(), 40) << " |" << detail::right(detail::format("%.4f", p.value(k) * m.scaling), 21) << "|\n";
    }
    out << line << '\n' << detail::notes(p, keys) << "+" << std::string(line.size() - 2, '-') << "+\n";
}

// One row of print_compare.
inline std::string compare_row(const profiler& a, const profiler& b, const std::string& key) {
    const metric_info& m = a.info(key);
    const double va = a.value(key), vb = b.value(key);
    const double e = m.compare(va, vb);
    const std::string enhancement = m.compare_by == comparison::difference ? detail::format("%.2f", e) : detail::format("%.2fx", e);
    return "|" + detail::right(m.label(), 40) + " |" + detail::right(enhancement, 26) + "|" +
           detail::right(detail::format("%.4f", va * m.scaling), 26) + "|" +
           detail::right(detail::format("%.4f", vb * m.scaling), 26) + "|";
}

// Two models side by side: Enhancement (b against a), Value (a), Value (b).
inline void print_compare(std::ostream& out, const profiler& a, const profiler& b, std::span<const std::string> keys,
                          std::string_view title = "xddp Profiler", std::string_view backend = "host") {
    const std::size_t widths[] = {41, 26, 26, 26};
    const std::string line = detail::rule(widths);
    const std::string back = "Backend: " + std::string(backend);
    out << "+" << std::string(line.size() - 2, '-') << "+\n";
    out << "|" << detail::center(title, line.size() - 2) << "|\n" << line << '\n';
    out << "|" << detail::right("Param Name", 40) << " |" << detail::right("Enhancement", 26) << "|"
        << detail::right("Value (" + a.name() + ")", 26) << "|" << detail::right("Value (" + b.name() + ")", 26) << "|\n";
    out << "|" << std::string(41, ' ') << "|" << std::string(26, ' ') << "|" << detail::right(back, 26) << "|"
        << detail::right(back, 26) << "|\n" << line << '\n';
    for (const auto& k : keys) out << compare_row(a, b, k) << '\n';
    out << line << '\n' << detail::notes(a, keys) << "+" << std::string(line.size() - 2, '-') << "+\n";
}

inline std::string shape_list(std::span<const shape_t> shapes) {
    std::string s;
    for (const auto& sh : shapes) s += (s.empty() ? "" : ", ") + xddp::to_string(sh);
    return s;
}

// The layer-wise table: name, kind, input and output shape, parameters, MACs (convention), output bytes,
// and the activation bytes live while the layer runs (deeplite's "Memory" column).
inline void print_layers(std::ostream& out, const model_cost& c, mac_convention convention) {
    struct row_text { std::string cells[8]; };
    std::vector<row_text> rows;
    rows.push_back({{"Layer", "Kind", "Input Shape", "Output Shape", "Params",
                     convention == mac_convention::common ? "MACs (common)" : "MACs (deeplite)", "Output Bytes", "Live Bytes"}});
    for (const auto& r : c.layers)
        rows.push_back({{r.name, r.kind, shape_list(r.input_shapes), xddp::to_string(r.output_shape),
                         std::to_string(r.cost.params), std::to_string(r.cost.macs(convention)),
                         std::to_string(r.cost.activation_bytes), std::to_string(r.live_bytes)}});
    rows.push_back({{"total", "", "", "", std::to_string(c.params()), std::to_string(c.macs(convention)),
                     std::to_string(c.total.activation_bytes), "peak " + std::to_string(c.peak_activation_bytes)}});
    std::size_t width[8] = {};
    for (const auto& r : rows)
        for (int i = 0; i < 8; ++i) width[i] = std::max(width[i], r.cells[i].size());
    std::size_t total = 0;
    for (auto w : width) total += w + 2;
    for (std::size_t k = 0; k < rows.size(); ++k) {
        if (k + 1 == rows.size()) out << std::string(total - 2, '-') << '\n';
        for (int i = 0; i < 8; ++i) {
            const std::string& s = rows[k].cells[i];
            const std::string pad(width[i] - s.size(), ' ');
            out << (i ? "  " : "") << (i >= 4 ? pad + s : (i < 7 ? s + pad : s));
        }
        out << '\n';
        if (k == 0) out << std::string(total - 2, '=') << '\n';
    }
}

}  // namespace xddp::metrics
