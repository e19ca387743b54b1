#pragma once
// ordered_rows<Row>: a table computed in pieces (a sensitivity sweep's tensors on different processes,
// a metrics table's layers), each piece a run of consecutive rows that starts at a known row of the whole
// table. Merging is concatenation keyed by those row numbers, so it is associative and order-independent:
// pieces merged in any order or grouping give the same table. Rows of two pieces never overlap
// (value_error); rows(total) checks that nothing is missing.
//
//   xddp::ordered_rows<xddp::sensitivity_row> mine;
//   mine.add(first_row, std::move(rows));  mine.merge(other);  auto table = mine.rows(total_rows);

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"

namespace xddp {

template <class Row>
class ordered_rows {
public:
    struct run {
        std::uint64_t first = 0;  // the table row of rows[0]
        std::vector<Row> rows;
        std::uint64_t last() const noexcept { return first + rows.size(); }  // one past
        bool operator==(const run&) const = default;
    };

    // Rows [first, first + rows.size()) of the table.
    void add(std::uint64_t first, std::vector<Row> rows) {
        if (rows.empty()) return;
        run r{first, std::move(rows)};
        auto it = std::lower_bound(runs_.begin(), runs_.end(), r.first, [](const run& x, std::uint64_t f) { return x.first < f; });
        const bool hits_next = it != runs_.end() && it->first < r.last();
        const bool hits_prev = it != runs_.begin() && std::prev(it)->last() > r.first;
        if (hits_next || hits_prev) {
            const run& o = hits_next ? *it : *std::prev(it);
            throw value_error("ordered_rows: rows [" + std::to_string(r.first) + ", " + std::to_string(r.last()) +
                              ") overlap rows [" + std::to_string(o.first) + ", " + std::to_string(o.last()) +
                              ") already there; each row comes from one piece");
        }
        // Join adjacent runs, so a complete table is one run.
        if (it != runs_.end() && it->first == r.last()) {
            std::move(it->rows.begin(), it->rows.end(), std::back_inserter(r.rows));
            it = runs_.erase(it);
        }
        if (it != runs_.begin() && std::prev(it)->last() == r.first) {
            auto& prev = *std::prev(it);
            std::move(r.rows.begin(), r.rows.end(), std::back_inserter(prev.rows));
            return;
        }
        runs_.insert(it, std::move(r));
    }

    ordered_rows& merge(const ordered_rows& other) {
        for (const run& r : other.runs_) add(r.first, r.rows);
        return *this;
    }

    // Rows held, over all runs.
    std::uint64_t size() const noexcept {
        std::uint64_t n = 0;
        for (const run& r : runs_) n += r.rows.size();
        return n;
    }
    const std::vector<run>& runs() const noexcept { return runs_; }

    // The whole table of `total` rows; value_error naming the first missing rows if it is incomplete.
    std::vector<Row> rows(std::uint64_t total) const {
        if (total == 0 && runs_.empty()) return {};
        if (runs_.size() != 1 || runs_[0].first != 0 || runs_[0].last() != total) {
            std::uint64_t at = 0;
            for (const run& r : runs_) {
                if (r.first > at) break;
                at = r.last();
            }
            throw value_error("ordered_rows: the table of " + std::to_string(total) + " rows is incomplete: rows from " +
                              std::to_string(at) + " on are missing or beyond it (" + std::to_string(size()) +
                              " rows in " + std::to_string(runs_.size()) + " pieces)");
        }
        return runs_[0].rows;
    }

    bool operator==(const ordered_rows&) const = default;

private:
    std::vector<run> runs_;
};

}  // namespace xddp
