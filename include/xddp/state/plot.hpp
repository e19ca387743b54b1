#pragma once
// An SVG of a state-space efficiency report, as the TensorState tutorial plots it: one horizontal bar per
// capture point (its efficiency, entropy / neurons), a dashed line at the network efficiency, and the
// accuracy and aIQ in the title where they are known.

#include <algorithm>
#include <cstddef>
#include <sstream>
#include <string>

#include "xddp/io/svg.hpp"
#include "xddp/state/report.hpp"

namespace xddp {

inline std::string efficiency_svg(const efficiency_report& r) {
    using detail::svg_escape;
    using detail::svg_number;
    std::size_t longest = 4;
    double largest = r.network_efficiency;
    for (const auto& l : r.layers) longest = std::max(longest, l.node.size()), largest = std::max(largest, l.efficiency);
    const double left = 30 + 7.5 * static_cast<double>(std::min<std::size_t>(longest, 32)), plot_w = 560, bar_h = 22,
                 gap = 8, top = 70;
    const double rows = static_cast<double>(r.layers.size());
    const double plot_h = std::max(1.0, rows) * (bar_h + gap) + gap;
    const double width = left + plot_w + 90, height = top + plot_h + 50;
    double step = 0;
    const auto ticks = detail::nice_ticks(0, std::max(largest * 100 * 1.08, 1.0), step);
    const double axis_max = std::max(ticks.back(), largest * 100 * 1.08);
    auto px = [&](double percent) { return left + percent / axis_max * plot_w; };
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << svg_number(width) << "\" height=\"" << svg_number(height)
      << "\" viewBox=\"0 0 " << svg_number(width) << ' ' << svg_number(height)
      << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    std::string title = "State-space efficiency per layer";
    std::string subtitle = "network efficiency " + svg_number(100 * r.network_efficiency) + "%";
    if (r.accuracy) subtitle += ", accuracy " + svg_number(100 * *r.accuracy) + "%";
    if (r.aiq) subtitle += ", aIQ " + svg_number(100 * *r.aiq) + "% (beta " + std::to_string(r.beta) + ")";
    s << "<text x=\"" << svg_number(width / 2) << "\" y=\"26\" text-anchor=\"middle\" font-size=\"17\">" << title << "</text>\n";
    s << "<text x=\"" << svg_number(width / 2) << "\" y=\"48\" text-anchor=\"middle\" font-size=\"13\" fill=\"#444\">"
      << svg_escape(subtitle) << "</text>\n";
    for (double t : ticks) {
        s << "<line x1=\"" << svg_number(px(t)) << "\" x2=\"" << svg_number(px(t)) << "\" y1=\"" << top << "\" y2=\""
          << svg_number(top + plot_h) << "\" stroke=\"#e5e5e5\"/>\n";
        s << "<text x=\"" << svg_number(px(t)) << "\" y=\"" << svg_number(top + plot_h + 18)
          << "\" text-anchor=\"middle\" font-size=\"12\">" << detail::tick_label(t, step) << "</text>\n";
    }
    s << "<text x=\"" << svg_number(left + plot_w / 2) << "\" y=\"" << svg_number(top + plot_h + 40)
      << "\" text-anchor=\"middle\" font-size=\"13\">efficiency (%): entropy of the layer's states / its neurons</text>\n";
    for (std::size_t k = 0; k < r.layers.size(); ++k) {
        const auto& l = r.layers[k];
        const double y = top + gap + static_cast<double>(k) * (bar_h + gap);
        s << "<text x=\"" << svg_number(left - 8) << "\" y=\"" << svg_number(y + bar_h / 2 + 4)
          << "\" text-anchor=\"end\" font-size=\"12\">" << svg_escape(l.node) << "</text>\n";
        s << "<rect x=\"" << svg_number(left) << "\" y=\"" << svg_number(y) << "\" width=\""
          << svg_number(std::max(px(100 * l.efficiency) - left, 1.0)) << "\" height=\"" << bar_h << "\" fill=\"#4c8dc9\"><title>"
          << svg_escape(l.name) << ": " << l.neurons << " neurons, " << l.distinct_states << " distinct states of "
          << l.samples << "</title></rect>\n";
        s << "<text x=\"" << svg_number(px(100 * l.efficiency) + 5) << "\" y=\"" << svg_number(y + bar_h / 2 + 4)
          << "\" font-size=\"11\">" << svg_number(100 * l.efficiency) << "%</text>\n";
    }
    s << "<line x1=\"" << svg_number(px(100 * r.network_efficiency)) << "\" x2=\"" << svg_number(px(100 * r.network_efficiency))
      << "\" y1=\"" << top - 4 << "\" y2=\"" << svg_number(top + plot_h) << "\" stroke=\"#d62728\" stroke-width=\"2\" "
      << "stroke-dasharray=\"6 4\"><title>network efficiency</title></line>\n";
    s << "<rect x=\"" << svg_number(left) << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\"" << svg_number(plot_h)
      << "\" fill=\"none\" stroke=\"black\"/>\n</svg>\n";
    return s.str();
}

}  // namespace xddp
