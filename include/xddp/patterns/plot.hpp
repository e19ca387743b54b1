#pragma once
// An SVG of the "When Explanations Lie" ratios, drawn by hand: sigma1 / sigma2 per layer (matrix and 1x1
// views) and along the layer chain, for W and for W (x) A. A ratio near 1 means no direction dominates; the
// larger W (x) A's ratios grow along the chain compared with W's, the more PatternAttribution's maps
// collapse onto one direction whatever the output neuron. The y axis turns logarithmic when the ratios span
// more than a factor 20.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "xddp/io/svg.hpp"
#include "xddp/io/text_file.hpp"
#include "xddp/patterns/analysis.hpp"

namespace xddp {

namespace detail::patterns {

struct plot_series {
    std::string label, colour;
    bool dashed = false;
    std::vector<double> values;  // one per x position; non-finite values leave a gap
};

inline std::string ratio_label(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    return buf;
}

// 1-2-5 ticks of a log axis: "0.5", "2", "50", "2000".
inline std::string log_tick_label(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// One panel: categorical x positions, series as lines with markers, shared y range [lo, hi].
inline void plot_panel(std::ostringstream& s, double x0, double y0, double w, double h, const std::string& title,
                       const std::vector<std::string>& ticks, const std::vector<plot_series>& series, double lo,
                       double hi, bool log_scale) {
    using detail::svg_number;
    auto ty = [&](double v) { return log_scale ? std::log10(v) : v; };
    const double a = ty(lo), b = ty(hi);
    auto py = [&](double v) { return y0 + h - (ty(v) - a) / (b - a) * h; };
    const double n = static_cast<double>(std::max<std::size_t>(ticks.size(), 1));
    auto px = [&](std::size_t i) { return x0 + (static_cast<double>(i) + 0.5) / n * w; };
    s << "<text x=\"" << svg_number(x0 + w / 2) << "\" y=\"" << svg_number(y0 - 12)
      << "\" text-anchor=\"middle\" font-size=\"15\">" << svg_escape(title) << "</text>\n";
    std::vector<double> yt;
    double step = 1;
    if (log_scale) {
        for (double d = std::pow(10.0, std::floor(a)); d <= hi * 1.0001; d *= 10)
            for (double m : {1.0, 2.0, 5.0})
                if (d * m >= lo * 0.9999 && d * m <= hi * 1.0001) yt.push_back(d * m);
    } else {
        yt = nice_ticks(lo, hi, step);
    }
    for (double t : yt) {
        s << "<line x1=\"" << svg_number(x0) << "\" x2=\"" << svg_number(x0 + w) << "\" y1=\"" << svg_number(py(t))
          << "\" y2=\"" << svg_number(py(t)) << "\" stroke=\"#e5e5e5\"/>\n";
        s << "<text x=\"" << svg_number(x0 - 8) << "\" y=\"" << svg_number(py(t) + 4)
          << "\" text-anchor=\"end\" font-size=\"12\">" << (log_scale ? log_tick_label(t) : tick_label(t, step))
          << "</text>\n";
    }
    if (lo <= 1.0 && hi >= 1.0)  // ratio 1: no direction preferred
        s << "<line x1=\"" << svg_number(x0) << "\" x2=\"" << svg_number(x0 + w) << "\" y1=\"" << svg_number(py(1))
          << "\" y2=\"" << svg_number(py(1)) << "\" stroke=\"#999999\" stroke-dasharray=\"3 3\"/>\n";
    for (std::size_t i = 0; i < ticks.size(); ++i) {
        s << "<line x1=\"" << svg_number(px(i)) << "\" x2=\"" << svg_number(px(i)) << "\" y1=\"" << svg_number(y0 + h)
          << "\" y2=\"" << svg_number(y0 + h + 5) << "\" stroke=\"black\"/>\n";
        s << "<text x=\"" << svg_number(px(i)) << "\" y=\"" << svg_number(y0 + h + 20)
          << "\" text-anchor=\"middle\" font-size=\"12\">" << svg_escape(ticks[i]) << "</text>\n";
    }
    s << "<rect x=\"" << svg_number(x0) << "\" y=\"" << svg_number(y0) << "\" width=\"" << svg_number(w)
      << "\" height=\"" << svg_number(h) << "\" fill=\"none\" stroke=\"black\"/>\n";
    s << "<text transform=\"translate(" << svg_number(x0 - 52) << ' ' << svg_number(y0 + h / 2)
      << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">&#963;1 / &#963;2" << (log_scale ? " (log)" : "")
      << "</text>\n";
    for (const auto& ser : series) {
        const std::string dash = ser.dashed ? " stroke-dasharray=\"7 4\"" : "";
        std::string points;
        auto flush = [&] {
            if (!points.empty())
                s << "<polyline fill=\"none\" stroke=\"" << ser.colour << "\" stroke-width=\"2\"" << dash
                  << " points=\"" << points << "\"/>\n";
            points.clear();
        };
        for (std::size_t i = 0; i < ser.values.size(); ++i) {
            const double v = ser.values[i];
            if (!std::isfinite(v) || v <= 0) {
                flush();
                continue;
            }
            points += svg_number(px(i)) + "," + svg_number(py(v)) + " ";
        }
        flush();
        for (std::size_t i = 0; i < ser.values.size(); ++i)
            if (std::isfinite(ser.values[i]) && ser.values[i] > 0)
                s << "<circle cx=\"" << svg_number(px(i)) << "\" cy=\"" << svg_number(py(ser.values[i])) << "\" r=\""
                  << (ser.dashed ? 3 : 4) << "\" fill=\"" << (ser.dashed ? "white" : ser.colour) << "\" stroke=\""
                  << ser.colour << "\" stroke-width=\"1.5\"/>\n";
    }
}

}  // namespace detail::patterns

// Two panels: sigma1 / sigma2 per layer (solid: matrix view, dashed: 1x1 view) and along the chain, for W
// (blue) and W (x) A (orange); the legend gives the products of the 1x1 and chain ratios.
inline std::string pattern_ratios_svg(const pattern_analysis& a, const std::string& title = "") {
    using detail::patterns::plot_series;
    using detail::patterns::ratio_label;
    const std::string blue = "#1f77b4", orange = "#ff7f0e";
    std::vector<std::string> layer_ticks, chain_ticks;
    for (const auto& l : a.layers) layer_ticks.push_back(l.name);
    for (const auto& c : a.weights.chain) chain_ticks.push_back(c.from + "\xe2\x86\x92" + c.to);
    auto per_layer = [](const spectrum_analysis& s, bool one_by_one) {
        std::vector<double> v;
        for (const auto& l : s.layers) v.push_back(one_by_one ? l.one_by_one_ratio : l.matrix_ratio);
        return v;
    };
    auto per_link = [](const spectrum_analysis& s) {
        std::vector<double> v;
        for (const auto& c : s.chain) v.push_back(c.ratio);
        return v;
    };
    const std::string wa = "W\xe2\x8a\x99" "A";
    std::vector<plot_series> layers{{"W, matrix view", blue, false, per_layer(a.weights, false)},
                                    {"W, 1x1 view", blue, true, per_layer(a.weights, true)},
                                    {wa + ", matrix view", orange, false, per_layer(a.filters, false)},
                                    {wa + ", 1x1 view", orange, true, per_layer(a.filters, true)}};
    std::vector<plot_series> chain{{"W", blue, false, per_link(a.weights)}, {wa, orange, false, per_link(a.filters)}};
    double lo = 1, hi = 1;
    for (const auto* group : {&layers, &chain})
        for (const auto& ser : *group)
            for (double v : ser.values)
                if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    const bool log_scale = hi / lo > 20;
    if (log_scale) {
        lo /= 1.25, hi *= 1.25;
    } else {
        const double pad = std::max((hi - lo) * 0.08, 0.05);
        lo = std::max(0.0, lo - pad), hi += pad;
    }
    const double panel_w = 440, panel_h = 300, left = 80, top = 84, gap = 100;
    const double width = left + 2 * panel_w + gap + 30, height = top + panel_h + 140;
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 "
      << width << ' ' << height << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
    s << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    const std::string heading = title.empty() ? "Spectral ratios of W and " + wa + " (" + std::string(to_string(a.kind)) +
                                                    " patterns, " + std::to_string(a.num_inputs) + " inputs)"
                                              : title;
    s << "<text x=\"" << width / 2 << "\" y=\"32\" text-anchor=\"middle\" font-size=\"18\">"
      << detail::svg_escape(heading) << "</text>\n";
    detail::patterns::plot_panel(s, left, top, panel_w, panel_h, "per layer", layer_ticks, layers, lo, hi, log_scale);
    detail::patterns::plot_panel(s, left + panel_w + gap, top, panel_w, panel_h, "along the chain (1x1 views)",
                                 chain_ticks, chain, lo, hi, log_scale);
    // Legend: line styles, then the products.
    const double ly = top + panel_h + 62;
    const std::vector<std::pair<const plot_series*, std::string>> entries{
        {&layers[0], "W, matrix view"},
        {&layers[1], "W, 1x1 view"},
        {&layers[2], wa + ", matrix view"},
        {&layers[3], wa + ", 1x1 view"}};
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const double x = left + 20 + static_cast<double>(i) * 230;
        const auto& ser = *entries[i].first;
        s << "<line x1=\"" << x << "\" x2=\"" << x + 34 << "\" y1=\"" << ly << "\" y2=\"" << ly << "\" stroke=\""
          << ser.colour << "\" stroke-width=\"2.5\"" << (ser.dashed ? " stroke-dasharray=\"7 4\"" : "") << "/>\n";
        s << "<text x=\"" << x + 42 << "\" y=\"" << ly + 4 << "\" font-size=\"13\">" << detail::svg_escape(entries[i].second)
          << "</text>\n";
    }
    s << "<text x=\"" << width / 2 << "\" y=\"" << ly + 34 << "\" text-anchor=\"middle\" font-size=\"13\">"
      << detail::svg_escape("products of the ratios \xe2\x80\x94 1x1 views: W " + ratio_label(a.weights.one_by_one_ratio_product) +
                            ", " + wa + " " + ratio_label(a.filters.one_by_one_ratio_product) + "; chain: W " +
                            ratio_label(a.weights.chain_ratio_product) + ", " + wa + " " +
                            ratio_label(a.filters.chain_ratio_product))
      << "</text>\n";
    s << "</svg>\n";
    return s.str();
}

inline void save_pattern_ratios_svg(const std::filesystem::path& path, const pattern_analysis& a,
                                    const std::string& title = "") {
    detail::write_text(path, pattern_ratios_svg(a, title));
}

}  // namespace xddp
