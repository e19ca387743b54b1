#pragma once
// A heat map as SVG, drawn by hand: a matrix of values in [0, 1], one cell per value, white to dark blue,
// with row and column labels, a colour bar, and each value printed in its cell where the cells are large
// enough to hold it. Wide matrices (a layer of 512 channels) shrink their cells to fit `max_width`; column
// labels are then thinned to every k-th.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "xddp/io/svg.hpp"

namespace xddp::report {

struct heat_map_options {
    std::string title;
    std::string row_axis, column_axis;  // axis titles (may be empty)
    double max_width = 1000;             // pixels
    int value_digits = 2;                // digits printed in a cell
};

namespace detail {

// White (0) to #08306b (1) through the ColorBrewer blues.
inline std::string blue(double v) {
    static const int stops[][3] = {{255, 255, 255}, {198, 219, 239}, {107, 174, 214}, {33, 113, 181}, {8, 48, 107}};
    v = std::clamp(std::isfinite(v) ? v : 0.0, 0.0, 1.0) * 4.0;
    const int k = std::min(3, static_cast<int>(v));
    const double f = v - k;
    char buf[8];
    int rgb[3];
    for (int i = 0; i < 3; ++i) rgb[i] = static_cast<int>(std::lround(stops[k][i] + f * (stops[k + 1][i] - stops[k][i])));
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return buf;
}

}  // namespace detail

// values[r][c] in [0, 1]; every row as long as column_labels.
inline std::string heat_map_svg(const std::vector<std::vector<double>>& values, const std::vector<std::string>& row_labels,
                                const std::vector<std::string>& column_labels, const heat_map_options& o = {}) {
    using xddp::detail::svg_escape;
    using xddp::detail::svg_number;
    const std::size_t rows = values.size(), cols = column_labels.size();
    std::size_t longest_row = 0, longest_col = 0;
    for (const auto& l : row_labels) longest_row = std::max(longest_row, l.size());
    for (const auto& l : column_labels) longest_col = std::max(longest_col, l.size());
    const double left = 24 + 7.0 * static_cast<double>(std::min<std::size_t>(longest_row, 28)) + (o.row_axis.empty() ? 0 : 22);
    const double bar = 70;  // the colour bar on the right
    const double cell_w = std::clamp((o.max_width - left - bar) / std::max<double>(1, static_cast<double>(cols)), 1.0, 56.0);
    const double cell_h = std::clamp(cell_w, 14.0, 34.0);
    const bool rotate = cell_w < 7.0 * static_cast<double>(longest_col) + 6;
    const std::size_t label_every =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(14.0 / cell_w)));  // no overlapping labels
    const double top = (o.title.empty() ? 12 : 40) + (rotate ? 7.0 * static_cast<double>(std::min<std::size_t>(longest_col, 20)) + 10 : 22) +
                       (o.column_axis.empty() ? 0 : 20);
    // Wide enough for the title and the column axis title, however few the columns.
    const double width = std::max(left + cell_w * static_cast<double>(cols) + bar,
                                  40 + 9.5 * static_cast<double>(std::max(o.title.size(), o.column_axis.size())));
    const double height = top + std::max(60.0, cell_h * static_cast<double>(rows)) + 20;
    const bool annotate = cell_w >= 9.0 * (o.value_digits + 2) && cell_h >= 14;
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << svg_number(width) << "\" height=\"" << svg_number(height)
      << "\" viewBox=\"0 0 " << svg_number(width) << ' ' << svg_number(height)
      << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    if (!o.title.empty())
        s << "<text x=\"" << svg_number(width / 2) << "\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">" << svg_escape(o.title)
          << "</text>\n";
    if (!o.column_axis.empty())
        s << "<text x=\"" << svg_number(left + cell_w * static_cast<double>(cols) / 2) << "\" y=\""
          << svg_number((o.title.empty() ? 12 : 40) + 12) << "\" text-anchor=\"middle\" font-size=\"13\">"
          << svg_escape(o.column_axis) << "</text>\n";
    if (!o.row_axis.empty())
        s << "<text transform=\"translate(16 " << svg_number(top + cell_h * static_cast<double>(rows) / 2)
          << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">" << svg_escape(o.row_axis) << "</text>\n";
    for (std::size_t c = 0; c < cols; c += label_every) {
        const double x = left + cell_w * (static_cast<double>(c) + 0.5), y = top - 6;
        if (rotate)
            s << "<text transform=\"translate(" << svg_number(x + 4) << ' ' << svg_number(y)
              << ") rotate(-60)\" font-size=\"11\">" << svg_escape(column_labels[c]) << "</text>\n";
        else
            s << "<text x=\"" << svg_number(x) << "\" y=\"" << svg_number(y) << "\" text-anchor=\"middle\" font-size=\"11\">"
              << svg_escape(column_labels[c]) << "</text>\n";
    }
    for (std::size_t r = 0; r < rows; ++r) {
        const double y = top + cell_h * static_cast<double>(r);
        if (r < row_labels.size())
            s << "<text x=\"" << svg_number(left - 6) << "\" y=\"" << svg_number(y + cell_h / 2 + 4)
              << "\" text-anchor=\"end\" font-size=\"12\">" << svg_escape(row_labels[r]) << "</text>\n";
        for (std::size_t c = 0; c < cols && c < values[r].size(); ++c) {
            const double v = values[r][c], x = left + cell_w * static_cast<double>(c);
            s << "<rect x=\"" << svg_number(x) << "\" y=\"" << svg_number(y) << "\" width=\"" << svg_number(cell_w)
              << "\" height=\"" << svg_number(cell_h) << "\" fill=\"" << detail::blue(v) << "\"><title>"
              << svg_escape(r < row_labels.size() ? row_labels[r] : "") << " / " << svg_escape(column_labels[c]) << ": "
              << xddp::detail::svg_number(v) << "</title></rect>\n";
            if (annotate) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.*f", o.value_digits, v);
                s << "<text x=\"" << svg_number(x + cell_w / 2) << "\" y=\"" << svg_number(y + cell_h / 2 + 4)
                  << "\" text-anchor=\"middle\" font-size=\"11\" fill=\"" << (v > 0.55 ? "white" : "#222") << "\">" << buf
                  << "</text>\n";
            }
        }
    }
    s << "<rect x=\"" << svg_number(left) << "\" y=\"" << svg_number(top) << "\" width=\""
      << svg_number(cell_w * static_cast<double>(cols)) << "\" height=\"" << svg_number(cell_h * static_cast<double>(rows))
      << "\" fill=\"none\" stroke=\"#999\"/>\n";
    // The colour bar: 0 at the bottom, 1 at the top.
    const double bx = left + cell_w * static_cast<double>(cols) + 16, bh = std::max(60.0, cell_h * static_cast<double>(rows));
    for (int k = 0; k < 20; ++k)
        s << "<rect x=\"" << svg_number(bx) << "\" y=\"" << svg_number(top + bh * (19 - k) / 20.0) << "\" width=\"14\" height=\""
          << svg_number(bh / 20.0 + 0.5) << "\" fill=\"" << detail::blue((k + 0.5) / 20.0) << "\"/>\n";
    s << "<rect x=\"" << svg_number(bx) << "\" y=\"" << svg_number(top) << "\" width=\"14\" height=\"" << svg_number(bh)
      << "\" fill=\"none\" stroke=\"#999\"/>\n";
    s << "<text x=\"" << svg_number(bx + 18) << "\" y=\"" << svg_number(top + 10) << "\" font-size=\"11\">1</text>\n";
    s << "<text x=\"" << svg_number(bx + 18) << "\" y=\"" << svg_number(top + bh) << "\" font-size=\"11\">0</text>\n";
    s << "</svg>\n";
    return s.str();
}

}  // namespace xddp::report
