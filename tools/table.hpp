#pragma once
// A plain text table for the terminal: columns sized to their widest cell, numbers right-aligned.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace xddp::tool {

// v with `digits` decimals ("%.*f"), the one number format of the program's tables and timing lines.
inline std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

class table {
public:
    explicit table(std::vector<std::string> header) : rows_{std::move(header)} {}
    void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

    void print(std::ostream& out) const {
        std::vector<std::size_t> width;
        for (const auto& r : rows_)
            for (std::size_t i = 0; i < r.size(); ++i) {
                if (width.size() <= i) width.push_back(0);
                width[i] = std::max(width[i], r[i].size());
            }
        for (std::size_t k = 0; k < rows_.size(); ++k) {
            const auto& r = rows_[k];
            for (std::size_t i = 0; i < r.size(); ++i) {
                const bool numeric = k > 0 && !r[i].empty() && (std::isdigit(static_cast<unsigned char>(r[i][0])) || r[i][0] == '-');
                const std::string pad(width[i] - r[i].size(), ' ');
                out << (i ? "  " : "") << (numeric ? pad + r[i] : r[i] + (i + 1 < r.size() ? pad : ""));
            }
            out << '\n';
            if (k == 0) {
                std::size_t total = 0;
                for (auto w : width) total += w + 2;
                out << std::string(total - 2, '-') << '\n';
            }
        }
    }

private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace xddp::tool
