// ordered_rows and sensitivity rows bytes: the golden TinyCNN's sweep computed tensor group by tensor
// group (as ranks of a distributed run do), merged in random order and grouping, writes the serial CSV
// byte for byte; overlapping or missing rows and malformed bytes are refused.

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <xddp/core/ordered_rows.hpp>
#include <xddp/io/npy.hpp>
#include <xddp/model/weights.hpp>
#include <xddp/model/zoo.hpp>
#include <xddp/pruning/bytes.hpp>
#include <xddp/pruning/report.hpp>
#include <xddp/pruning/sensitivity.hpp>

#include "shared_dir.hpp"

TEST_CASE("ordered_rows: merging is concatenation by row number, in any order and grouping") {
    std::mt19937 rng(3);
    const std::vector<int> table = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<std::size_t> cuts{0, table.size()};
        for (int s = 0; s < 4; ++s) cuts.push_back(rng() % (table.size() + 1));
        std::sort(cuts.begin(), cuts.end());
        std::vector<xddp::ordered_rows<int>> parts(cuts.size() - 1);
        for (std::size_t s = 0; s + 1 < cuts.size(); ++s)
            parts[s].add(cuts[s], std::vector<int>(table.begin() + static_cast<long>(cuts[s]),
                                                   table.begin() + static_cast<long>(cuts[s + 1])));
        std::shuffle(parts.begin(), parts.end(), rng);
        while (parts.size() > 1) {
            const std::size_t i = rng() % parts.size();
            const std::size_t j = (i + 1 + rng() % (parts.size() - 1)) % parts.size();
            parts[i].merge(parts[j]);
            parts.erase(parts.begin() + static_cast<long>(j));
        }
        CHECK(parts[0].rows(table.size()) == table);
        CHECK(parts[0].runs().size() == 1);
    }
    xddp::ordered_rows<int> r;
    r.add(2, {2, 3});
    CHECK_THROWS_AS(r.add(3, {9}), xddp::value_error);  // overlaps row 3
    CHECK_THROWS_AS(r.add(0, {0, 1, 9}), xddp::value_error);
    CHECK_THROWS_AS(r.rows(4), xddp::value_error);       // rows 0 and 1 are missing
    r.add(0, {0, 1});
    CHECK(r.rows(4) == std::vector<int>{0, 1, 2, 3});
    CHECK_THROWS_AS(r.rows(5), xddp::value_error);       // row 4 is missing
}

TEST_CASE("sensitivity rows: tensor groups swept apart and merged through bytes write the serial CSV") {
    const auto dir = shared_dir() / "golden/metrics/sensitivity";
    xddp::graph g = xddp::zoo::tiny_cnn();
    xddp::load_weights(g, dir / "weights");
    const auto images = xddp::io::load_npy<float>(dir / "dataset/x_test.npy");
    const auto y = xddp::io::load_npy<std::int64_t>(dir / "dataset/y_test.npy");
    const std::vector<std::int64_t> labels(y.begin(), y.end());
    const std::vector<double> levels = {0.0, 0.5, 0.9, 0.3};  // a falling level restarts from the original
    xddp::sensitivity_options options{.mode = xddp::prune_mode::element, .levels = levels, .batch = 100};
    const auto serial = xddp::sensitivity_sweep(g, images, labels, options);
    const auto weights = xddp::prunable_weights(g, options.mode);
    REQUIRE(weights.size() == 4);
    REQUIRE(serial.size() == 4 * levels.size());

    // Groups {conv1}, {conv2, fc1}, {fc2}, merged last-first through bytes.
    const std::vector<std::pair<std::size_t, std::size_t>> groups = {{0, 1}, {1, 3}, {3, 4}};
    std::vector<std::vector<std::uint8_t>> messages;
    for (auto [first, last] : groups) {
        auto o = options;
        for (std::size_t t = first; t < last; ++t) o.parameters.push_back(weights[t].name);
        xddp::ordered_rows<xddp::sensitivity_row> part;
        part.add(first * levels.size(), xddp::sensitivity_sweep(g, images, labels, o));
        messages.push_back(xddp::sensitivity_rows_to_bytes(part));
    }
    xddp::ordered_rows<xddp::sensitivity_row> merged = xddp::sensitivity_rows_from_bytes(messages[2]);
    merged.merge(xddp::sensitivity_rows_from_bytes(messages[0]));
    CHECK_THROWS_AS(merged.rows(serial.size()), xddp::value_error);  // the middle group is missing
    merged.merge(xddp::sensitivity_rows_from_bytes(messages[1]));
    CHECK(xddp::sensitivity_csv(merged.rows(serial.size())) == xddp::sensitivity_csv(serial));
    CHECK(xddp::sensitivity_rows_to_bytes(merged) == [&] {
        xddp::ordered_rows<xddp::sensitivity_row> all;
        all.add(0, serial);
        return xddp::sensitivity_rows_to_bytes(all);
    }());

    const auto& bytes = messages[1];
    for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 16)
        CHECK_THROWS_AS(xddp::sensitivity_rows_from_bytes(std::span(bytes.data(), cut)), xddp::format_error);
    // Two runs that overlap.
    auto twice = messages[1];
    twice[8] = 2;  // the run count
    twice.insert(twice.end(), messages[1].begin() + 16, messages[1].end());
    CHECK_THROWS_AS(xddp::sensitivity_rows_from_bytes(twice), xddp::format_error);
    CHECK_THROWS_AS(xddp::sensitivity_rows_from_bytes(std::vector<std::uint8_t>(64, 0)), xddp::format_error);
}
