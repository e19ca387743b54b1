// Merging state counters and captures, and their bytes: the golden LeNet-5 activations of the TensorState
// tutorial, cut into random shards of inputs, counted apart and merged in random order and grouping,
// give TensorState's unique states and counts exactly; a sharded capture through the pipeline merges to
// the serial capture's report; bytes round-trip and malformed bytes are format_errors.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <xtensor/xview.hpp>
#include <xddp/io/npy.hpp>
#include <xddp/model/weights.hpp>
#include <xddp/model/zoo.hpp>
#include <xddp/pipeline/pipeline.hpp>
#include <xddp/state/bytes.hpp>
#include <xddp/state/state.hpp>

#include "shared_dir.hpp"

namespace {

namespace fs = std::filesystem;

fs::path states_dir() { return shared_dir() / "golden/tensorstate/lenet5/states_conv_after"; }

// Inputs [first, last) of an (N, C, ...) activation.
xddp::tensor_ref rows(const xt::xarray<float>& a, std::size_t first, std::size_t last) {
    xddp::shape_t shape(a.shape().begin(), a.shape().end());
    const std::size_t per = a.size() / shape[0];
    shape[0] = last - first;
    return xddp::tensor_ref(a.data() + first * per, shape);
}

template <class Hash>
std::vector<xddp::state_counter<Hash>> shard_counters(const xt::xarray<float>& act, std::mt19937& rng) {
    const std::size_t n = act.shape()[0], shards = 1 + rng() % 6;
    std::vector<std::size_t> cuts{0, n};
    for (std::size_t s = 1; s < shards; ++s) cuts.push_back(rng() % (n + 1));
    std::sort(cuts.begin(), cuts.end());
    std::vector<xddp::state_counter<Hash>> parts(shards);
    for (std::size_t s = 0; s < shards; ++s) parts[s].add(rows(act, cuts[s], cuts[s + 1]));
    return parts;
}

// A random order and grouping; sometimes through bytes, as processes would.
template <class Hash>
xddp::state_counter<Hash> merge_randomly(std::vector<xddp::state_counter<Hash>> parts, std::mt19937& rng) {
    while (parts.size() > 1) {
        std::uniform_int_distribution<std::size_t> pick(0, parts.size() - 1);
        const std::size_t i = pick(rng);
        std::size_t j = pick(rng);
        if (j == i) j = (i + 1) % parts.size();
        if (rng() % 2) parts[i].merge(xddp::state_counter_from_bytes<Hash>(xddp::state_counter_to_bytes(parts[j])));
        else parts[i].merge(parts[j]);
        parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(j));
    }
    return std::move(parts.front());
}

}  // namespace

TEST_CASE("state_counter::merge: random shards of the golden LeNet-5 activations give TensorState's counts") {
    std::mt19937 rng(7);
    for (const std::string point : {"conv_1_post_states", "conv_2_post_states", "conv_3_post_states"}) {
        CAPTURE(point);
        const auto act = xddp::io::load_npy<float>(states_dir() / (point + "__activation.npy"));
        const auto unique = xddp::io::load_npy<std::uint8_t>(states_dir() / (point + "__unique_states.npy"));
        const auto counts = xddp::io::load_npy<std::int64_t>(states_dir() / (point + "__counts.npy"));
        const std::vector<std::uint64_t> want_counts(counts.begin(), counts.end());
        xddp::state_counter<> serial;
        serial.add(act);
        xddp::state_counter<xddp::compact_hash> serial_compact;
        serial_compact.add(act);
        for (int trial = 0; trial < 3; ++trial) {
            CAPTURE(trial);
            const auto merged = merge_randomly(shard_counters<xddp::exact_hash>(act, rng), rng);
            const auto got = merged.distinct_states();
            CHECK(got.states == unique);
            CHECK(got.counts == want_counts);
            CHECK(merged.state_count() == serial.state_count());
            CHECK(merged.inputs() == act.shape()[0]);
            CHECK(merged.states_per_input() == serial.states_per_input());
            CHECK(merged.entropy(1) == serial.entropy(1));  // same bits
            CHECK(merged.efficiency() == serial.efficiency());
            CHECK(xddp::state_counter_to_bytes(merged) == xddp::state_counter_to_bytes(serial));

            const auto compact = merge_randomly(shard_counters<xddp::compact_hash>(act, rng), rng);
            CHECK(compact.counts() == serial_compact.counts());
            CHECK(compact.distinct() == unique.shape()[0]);
            CHECK(compact.entropy(2) == serial_compact.entropy(2));
            CHECK(xddp::state_counter_to_bytes(compact) == xddp::state_counter_to_bytes(serial_compact));
        }
    }
}

TEST_CASE("state_capture::merge: a capture of shards of batches reports what the serial capture does") {
    xddp::graph g = xddp::zoo::lenet5();
    xddp::load_weights(g, shared_dir() / "golden/tensorstate/lenet5/weights");
    const auto x = xddp::io::load_npy<float>(shared_dir() / "golden/tensorstate/lenet5/inputs/x.npy");
    const xddp::capture_options options{.kinds = {"conv2d", "linear"}};
    const xddp::run_options run{.batch_size = 32};
    xddp::pipeline serial(g, xddp::state_capture<>(options));
    serial.run(x, run);
    // Three shards of whole batches (a forward pass's bits depend on its batch size), merged 2 into 1, then 0.
    std::vector<xddp::state_capture<>> parts;
    for (auto [first, last] : {std::pair<std::size_t, std::size_t>{0, 96}, {96, 192}, {192, 256}}) {
        xddp::pipeline p(g, xddp::state_capture<>(options));
        p.run(rows(x, first, last), run);
        parts.push_back(p.stage<0>());
    }
    parts[1].merge(parts[2]);
    xddp::merge_state_capture_bytes(parts[0], xddp::state_capture_to_bytes(parts[1]));
    const auto want = xddp::make_efficiency_report(serial.stage<0>(), g);
    const auto got = xddp::make_efficiency_report(parts[0], g);
    CHECK(got.num_inputs == 256);
    REQUIRE(got.layers.size() == want.layers.size());
    for (std::size_t i = 0; i < want.layers.size(); ++i) {
        CAPTURE(want.layers[i].name);
        CHECK(got.layers[i].samples == want.layers[i].samples);
        CHECK(got.layers[i].distinct_states == want.layers[i].distinct_states);
        CHECK(got.layers[i].entropy_bits == want.layers[i].entropy_bits);
    }
    CHECK(got.network_efficiency == want.network_efficiency);

    // Captures of other points do not merge; a capture not started takes the other's points.
    xddp::pipeline other(g, xddp::state_capture<>({.kinds = {"conv2d"}}));
    other.run(rows(x, 0, 32), run);
    CHECK_THROWS_AS(parts[0].merge(other.stage<0>()), xddp::value_error);
    CHECK_THROWS_AS(xddp::merge_state_capture_bytes(parts[0], xddp::state_capture_to_bytes(other.stage<0>())),
                    xddp::value_error);
    xddp::state_capture<> fresh(options);
    fresh.merge(parts[0]);
    CHECK(fresh.network_efficiency() == serial.stage<0>().network_efficiency());
}

TEST_CASE("state counter bytes: round trip, and malformed bytes are format_errors") {
    // 3 states of 70 neurons (two words each), one of them twice.
    std::vector<float> a(4 * 70, 0.f);
    for (std::size_t c = 0; c < 70; ++c) {
        a[0 * 70 + c] = c % 3 == 0 ? 1.f : 0.f;
        a[1 * 70 + c] = c > 64 ? 1.f : 0.f;
        a[2 * 70 + c] = c % 3 == 0 ? 1.f : 0.f;
        a[3 * 70 + c] = 1.f;
    }
    xddp::state_counter<> c;
    c.add(xddp::tensor_ref(a.data(), {4, 70}));
    const auto bytes = xddp::state_counter_to_bytes(c);
    const auto back = xddp::state_counter_from_bytes(bytes);
    CHECK(back.distinct() == 3);
    CHECK(back.state_count() == 4);
    CHECK(back.inputs() == 4);
    CHECK(back.distinct_states().counts == c.distinct_states().counts);
    CHECK(back.distinct_states().states == c.distinct_states().states);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut)
        CHECK_THROWS_AS(xddp::state_counter_from_bytes(std::span(bytes.data(), cut)), xddp::format_error);
    // Another policy's bytes.
    CHECK_THROWS_AS(xddp::state_counter_from_bytes<xddp::compact_hash>(bytes), xddp::format_error);
    // Layout: tag 8, policy name 8 + 5 ("exact"), neurons, seen, inputs, per input, n; then rows of 3 words.
    const std::size_t rows_at = 8 + 8 + 5 + 5 * 8;
    auto twice = bytes;  // the second row a copy of the first: out of order
    std::copy(bytes.begin() + rows_at, bytes.begin() + rows_at + 24, twice.begin() + rows_at + 24);
    CHECK_THROWS_AS(xddp::state_counter_from_bytes(twice), xddp::format_error);
    auto padding = bytes;  // a bit past neuron 69 in the first row's second word
    padding[rows_at + 8 + 7] |= 0x80;
    CHECK_THROWS_AS(xddp::state_counter_from_bytes(padding), xddp::format_error);
    auto seen = bytes;  // counts that do not add up to the states seen
    seen[8 + 8 + 5 + 8] = 9;
    CHECK_THROWS_AS(xddp::state_counter_from_bytes(seen), xddp::format_error);
}

TEST_CASE("state_counter::merge: refuses other widths, kept states and itself") {
    std::vector<float> a(2 * 8, 1.f), b(2 * 9, 1.f);
    xddp::state_counter<> c8, c9, kept;
    c8.add(xddp::tensor_ref(a.data(), {2, 8}));
    c9.add(xddp::tensor_ref(b.data(), {2, 9}));
    CHECK_THROWS_AS(c8.merge(c9), xddp::shape_error);
    kept.keep_states(true);
    kept.add(xddp::tensor_ref(a.data(), {2, 8}));
    CHECK_THROWS_AS(c8.merge(kept), xddp::value_error);
    CHECK_THROWS_AS(c8.merge(c8), xddp::value_error);
    xddp::state_counter<> empty;
    empty.merge(c8);  // an empty counter takes the other's width
    CHECK(empty.state_count() == 2);
    CHECK(empty.distinct() == 1);
    CHECK_THROWS_AS(empty.add_key(nullptr, 0, 1), xddp::value_error);
}
