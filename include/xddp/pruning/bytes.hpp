#pragma once
// Sensitivity sweep rows as bytes, for transport between processes (distributed/mpi.hpp), with
// io/bytes.hpp's conventions: sensitivity_rows_to_bytes / sensitivity_rows_from_bytes, format tag
// "xddpSNS1", an ordered_rows<sensitivity_row> (runs of consecutive rows of the whole sweep). Doubles
// and the float threshold travel as their bits, so rows read back print the same CSV.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/ordered_rows.hpp"
#include "xddp/io/bytes.hpp"
#include "xddp/pruning/sensitivity.hpp"

namespace xddp {

inline constexpr std::string_view sensitivity_rows_bytes_tag = "xddpSNS1";

inline std::vector<std::uint8_t> sensitivity_rows_to_bytes(const ordered_rows<sensitivity_row>& table) {
    io::byte_writer w;
    w.magic(sensitivity_rows_bytes_tag);
    w.u64(table.runs().size());
    for (const auto& run : table.runs()) {
        w.u64(run.first);
        w.u64(run.rows.size());
        for (const sensitivity_row& r : run.rows) {
            w.str(r.parameter);
            w.f64(r.sparsity);
            w.u64(r.pruned.k);
            w.u8(r.pruned.threshold ? 1 : 0);
            w.u64(r.pruned.threshold ? std::bit_cast<std::uint32_t>(*r.pruned.threshold) : 0);
            w.u64(r.pruned.zeros);
            w.f64(r.result.top1);
            w.f64(r.result.top5);
            w.f64(r.result.loss);
            w.u64(r.result.correct1);
            w.u64(r.result.correct5);
            w.u64(r.result.n);
        }
    }
    return w.take();
}

// Runs are checked as ordered_rows::add checks them (no overlap): value_error there is a format_error here.
inline ordered_rows<sensitivity_row> sensitivity_rows_from_bytes(std::span<const std::uint8_t> bytes) {
    io::byte_reader r(bytes, "sensitivity rows bytes");
    r.magic(sensitivity_rows_bytes_tag);
    const std::size_t runs = r.count("runs", 16);
    ordered_rows<sensitivity_row> table;
    for (std::size_t i = 0; i < runs; ++i) {
        const std::uint64_t first = r.u64("a run's first row");
        const std::size_t n = r.count("rows", 8 * 11 + 1);
        std::vector<sensitivity_row> rows(n);
        for (sensitivity_row& row : rows) {
            row.parameter = r.str("a parameter name");
            row.sparsity = r.f64("a sparsity");
            row.pruned.k = static_cast<std::size_t>(r.u64("k"));
            const std::uint8_t has = r.u8("the threshold flag");
            const std::uint64_t bits = r.u64("a threshold");
            if (has > 1 || bits > UINT32_MAX || (!has && bits))
                r.fail("hold threshold flag " + std::to_string(has) + " with bits " + std::to_string(bits) +
                       "; expected 0 with 0, or 1 with a float's 32 bits");
            if (has) row.pruned.threshold = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
            row.pruned.zeros = static_cast<std::size_t>(r.u64("zeros"));
            row.result.top1 = r.f64("top1");
            row.result.top5 = r.f64("top5");
            row.result.loss = r.f64("loss");
            row.result.correct1 = static_cast<std::size_t>(r.u64("correct1"));
            row.result.correct5 = static_cast<std::size_t>(r.u64("correct5"));
            row.result.n = static_cast<std::size_t>(r.u64("n"));
        }
        try {
            table.add(first, std::move(rows));
        } catch (const value_error& e) {
            r.fail(std::string("hold overlapping rows: ") + e.what());
        }
    }
    r.finish();
    return table;
}

}  // namespace xddp
