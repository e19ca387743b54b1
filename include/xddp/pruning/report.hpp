#pragma once
// Writing a sensitivity sweep: Distiller's CSV byte for byte (`parameter,sparsity,top1,top5,loss`, CRLF
// line ends as Python's csv module writes them, floats as Python's repr), and an SVG plot of top-1 and
// top-5 versus sparsity, one line per tensor, drawn by hand so nothing else is needed.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/io/svg.hpp"
#include "xddp/io/text_file.hpp"
#include "xddp/pruning/sensitivity.hpp"

namespace xddp {

// A double as Python's repr writes it: the shortest digits that round-trip, fixed notation for
// 1e-4 <= |v| < 1e16 (always with a fraction, "90.0"), else scientific with a two-digit exponent ("1e-05").
inline std::string python_repr(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string sci(buf, res.ptr);  // "-d.ddde+XX" or "de-XX", shortest round-trip digits
    std::string sign;
    if (sci[0] == '-') {
        sign = "-";
        sci.erase(0, 1);
    }
    const auto e = sci.find('e');
    std::string digits = sci.substr(0, e);
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    const int exp10 = std::stoi(sci.substr(e + 1));
    if (v == 0.0) return sign + "0.0";
    if (exp10 < -4 || exp10 >= 16) {
        std::string mant = digits.substr(0, 1);
        if (digits.size() > 1) mant += "." + digits.substr(1);
        char ex[16];
        std::snprintf(ex, sizeof ex, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
        return sign + mant + ex;
    }
    const int point = exp10 + 1;  // digits before the decimal point
    std::string out;
    if (point <= 0) {
        out = "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    } else if (static_cast<std::size_t>(point) >= digits.size()) {
        out = digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0') + ".0";
    } else {
        out = digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
    }
    return sign + out;
}

namespace detail {

// A CSV field as Python's csv module (QUOTE_MINIMAL) writes it.
inline std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

}  // namespace detail

inline std::string sensitivity_csv(const std::vector<sensitivity_row>& rows) {
    std::string out = "parameter,sparsity,top1,top5,loss\r\n";
    for (const auto& r : rows)
        out += detail::csv_field(r.parameter) + "," + python_repr(r.sparsity) + "," + python_repr(r.result.top1) + "," +
               python_repr(r.result.top5) + "," + python_repr(r.result.loss) + "\r\n";
    return out;
}

inline void save_sensitivity_csv(const std::filesystem::path& path, const std::vector<sensitivity_row>& rows) {
    detail::write_text(path, sensitivity_csv(rows));
}

// An SVG with two panels, top-1 and top-5 accuracy (%) versus sparsity, one coloured line per tensor.
inline std::string sensitivity_svg(const std::vector<sensitivity_row>& rows, const std::string& title = "") {
    using detail::svg_number;
    static const char* colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    // Past ten tensors the colours repeat, so the line style changes: solid, dashed, dotted.
    auto dash = [](std::size_t n) -> std::string {
        const std::size_t cycle = (n / 10) % 3;
        return cycle == 0 ? "" : cycle == 1 ? " stroke-dasharray=\"8 4\"" : " stroke-dasharray=\"2 3\"";
    };
    std::vector<std::string> names;
    for (const auto& r : rows)
        if (std::find(names.begin(), names.end(), r.parameter) == names.end()) names.push_back(r.parameter);
    double xmin = 0, xmax = 1;
    if (!rows.empty()) {
        xmin = xmax = rows[0].sparsity;
        for (const auto& r : rows) xmin = std::min(xmin, r.sparsity), xmax = std::max(xmax, r.sparsity);
        if (xmax - xmin < 1e-9) xmin -= 0.05, xmax += 0.05;
    }
    const double panel_w = 460, panel_h = 320, left = 70, top = 78, gap = 90, legend_col = 240;
    const double width = left + 2 * panel_w + gap + 30;
    const std::size_t columns =
        std::max<std::size_t>(1, std::min(names.size(), static_cast<std::size_t>((width - left) / legend_col)));
    const double legend_h =
        24.0 * static_cast<double>((names.size() + columns - 1) / std::max<std::size_t>(columns, 1)) + 16;
    const double height = top + panel_h + 62 + legend_h;
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << ' ' << height
      << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n";
    s << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s << "<text x=\"" << width / 2 << "\" y=\"30\" text-anchor=\"middle\" font-size=\"18\">"
      << detail::svg_escape(title.empty() ? "Pruning sensitivity" : title) << "</text>\n";
    for (int panel = 0; panel < 2; ++panel) {
        const bool is_top1 = panel == 0;
        const double x0 = left + panel * (panel_w + gap), y0 = top;
        double ymin = 100, ymax = 0;
        for (const auto& r : rows) {
            const double v = is_top1 ? r.result.top1 : r.result.top5;
            ymin = std::min(ymin, v), ymax = std::max(ymax, v);
        }
        if (rows.empty()) ymin = 0, ymax = 100;
        // A margin around the data, but no axis beyond 100 %: a line at 100 sits just below the frame.
        const double pad = std::max((ymax - ymin) * 0.06, 0.5);
        ymin = std::max(0.0, ymin - pad);
        const double ytop = ymax + pad > 100.0 ? 100.0 + (100.0 - ymin) * 0.03 : ymax + pad;
        const double tick_top = std::min(ytop, 100.0);
        ymax = ytop;
        const double xpad = (xmax - xmin) * 0.04;
        const double ax0 = xmin - xpad, ax1 = xmax + xpad;
        auto px = [&](double x) { return x0 + (x - ax0) / (ax1 - ax0) * panel_w; };
        auto py = [&](double y) { return y0 + panel_h - (y - ymin) / (ymax - ymin) * panel_h; };
        s << "<g>\n<text x=\"" << x0 + panel_w / 2 << "\" y=\"" << y0 - 10
          << "\" text-anchor=\"middle\" font-size=\"15\">" << (is_top1 ? "Top-1" : "Top-5") << " accuracy</text>\n";
        double step = 0;
        for (double t : detail::nice_ticks(ymin, tick_top, step)) {
            s << "<line x1=\"" << svg_number(x0) << "\" x2=\"" << svg_number(x0 + panel_w) << "\" y1=\""
              << svg_number(py(t)) << "\" y2=\"" << svg_number(py(t)) << "\" stroke=\"#e5e5e5\"/>\n";
            s << "<text x=\"" << svg_number(x0 - 8) << "\" y=\"" << svg_number(py(t) + 4)
              << "\" text-anchor=\"end\" font-size=\"12\">" << detail::tick_label(t, step) << "</text>\n";
        }
        for (double t : detail::nice_ticks(xmin, xmax, step)) {
            s << "<line x1=\"" << svg_number(px(t)) << "\" x2=\"" << svg_number(px(t)) << "\" y1=\"" << svg_number(y0)
              << "\" y2=\"" << svg_number(y0 + panel_h) << "\" stroke=\"#e5e5e5\"/>\n";
            s << "<line x1=\"" << svg_number(px(t)) << "\" x2=\"" << svg_number(px(t)) << "\" y1=\""
              << svg_number(y0 + panel_h) << "\" y2=\"" << svg_number(y0 + panel_h + 5) << "\" stroke=\"black\"/>\n";
            s << "<text x=\"" << svg_number(px(t)) << "\" y=\"" << svg_number(y0 + panel_h + 20)
              << "\" text-anchor=\"middle\" font-size=\"12\">" << detail::tick_label(t, step) << "</text>\n";
        }
        s << "<rect x=\"" << x0 << "\" y=\"" << y0 << "\" width=\"" << panel_w << "\" height=\"" << panel_h
          << "\" fill=\"none\" stroke=\"black\"/>\n";
        s << "<text x=\"" << x0 + panel_w / 2 << "\" y=\"" << y0 + panel_h + 42
          << "\" text-anchor=\"middle\" font-size=\"13\">sparsity</text>\n";
        s << "<text transform=\"translate(" << x0 - 50 << ' ' << y0 + panel_h / 2
          << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">" << (is_top1 ? "top-1" : "top-5")
          << " (%)</text>\n";
        for (std::size_t n = 0; n < names.size(); ++n) {
            const char* colour = colours[n % 10];
            std::string points;
            std::vector<std::pair<double, double>> marks;
            for (const auto& r : rows)
                if (r.parameter == names[n]) {
                    const double x = px(r.sparsity), y = py(is_top1 ? r.result.top1 : r.result.top5);
                    points += svg_number(x) + "," + svg_number(y) + " ";
                    marks.emplace_back(x, y);
                }
            s << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\"" << dash(n) << " points=\""
              << points << "\"/>\n";
            for (auto [x, y] : marks)
                s << "<circle cx=\"" << svg_number(x) << "\" cy=\"" << svg_number(y) << "\" r=\"3\" fill=\"" << colour
                  << "\"/>\n";
        }
        s << "</g>\n";
    }
    const double ly = top + panel_h + 72;
    const double lx = (width - legend_col * static_cast<double>(columns)) / 2 + 20;  // centred under the panels
    for (std::size_t n = 0; n < names.size(); ++n) {
        const double x = lx + static_cast<double>(n % columns) * legend_col,
                     y = ly + 24.0 * static_cast<double>(n / columns);
        s << "<line x1=\"" << x << "\" x2=\"" << x + 30 << "\" y1=\"" << y << "\" y2=\"" << y << "\" stroke=\""
          << colours[n % 10] << "\" stroke-width=\"3\"" << dash(n) << "/>\n";
        s << "<text x=\"" << x + 38 << "\" y=\"" << y + 4 << "\" font-size=\"13\">" << detail::svg_escape(names[n])
          << "</text>\n";
    }
    s << "</svg>\n";
    return s.str();
}

inline void save_sensitivity_svg(const std::filesystem::path& path, const std::vector<sensitivity_row>& rows,
                                 const std::string& title = "") {
    detail::write_text(path, sensitivity_svg(rows, title));
}

}  // namespace xddp
