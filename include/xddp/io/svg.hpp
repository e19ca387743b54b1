#pragma once
// Small helpers for the hand-drawn SVG plots (pruning sensitivity, pattern ratios): escaping, number
// formatting and round axis ticks. No plotting library needed.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace xddp::detail {

inline std::string svg_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else if (c == '"') out += "&quot;";
        else out += c;
    }
    return out;
}

inline std::string svg_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

// About five round tick values covering [lo, hi].
inline std::vector<double> nice_ticks(double lo, double hi, double& step) {
    const double span = std::max(hi - lo, 1e-12);
    const double raw = span / 5.0, mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(t);
    return ticks;
}

inline std::string tick_label(double v, double step) {
    const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v) < step * 1e-9 ? 0.0 : v);
    return buf;
}

}  // namespace xddp::detail
