#pragma once
// State counters and captures as bytes, for transport between processes (distributed/mpi.hpp), with
// io/bytes.hpp's conventions:
//   state_counter_to_bytes / state_counter_from_bytes<Hash>    format tag "xddpSTC1"
//   state_capture_to_bytes / merge_state_capture_bytes          format tag "xddpCAP1" (named counters)
// A counter travels as its distinct keys in ascending order (the packed words for exact_hash, compared as
// little-endian integers as TensorState orders states; the 64-bit key for compact_hash) with their counts,
// so equal counters give equal bytes. The reader checks the policy, the order (no key twice), padding
// bits and that the counts add up to the states seen; anything else is a format_error.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/io/bytes.hpp"
#include "xddp/state/capture.hpp"
#include "xddp/state/counter.hpp"
#include "xddp/state/pack.hpp"

namespace xddp {

inline constexpr std::string_view state_counter_bytes_tag = "xddpSTC1";
inline constexpr std::string_view state_capture_bytes_tag = "xddpCAP1";

namespace detail::states {

template <class Hash>
void write_counter(io::byte_writer& w, const state_counter<Hash>& c) {
    const std::size_t words = state_words(std::max<std::size_t>(c.neurons(), 1));
    // Sorted keys: (words..., count) rows for exact_hash, (hash, count) for compact_hash.
    const std::size_t stride = Hash::exact ? words + 1 : 2;
    std::vector<std::uint64_t> rows;
    rows.reserve(c.distinct() * stride);
    c.for_each_key([&](const std::uint64_t* key, std::uint64_t hash, std::uint64_t count) {
        if constexpr (Hash::exact) rows.insert(rows.end(), key, key + words);
        else rows.push_back(hash);
        rows.push_back(count);
    });
    const std::size_t n = rows.size() / stride, key_words = stride - 1;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        for (std::size_t k = key_words; k-- > 0;)
            if (rows[a * stride + k] != rows[b * stride + k]) return rows[a * stride + k] < rows[b * stride + k];
        return false;
    });
    w.magic(state_counter_bytes_tag);
    w.str(Hash::name);
    w.u64(c.neurons());
    w.u64(c.state_count());
    w.u64(c.inputs());
    w.u64(c.states_per_input());
    w.u64(n);
    for (std::size_t i : order)
        for (std::size_t k = 0; k < stride; ++k) w.u64(rows[i * stride + k]);
}

template <class Hash>
state_counter<Hash> read_counter(io::byte_reader& r) {
    r.magic(state_counter_bytes_tag);
    const std::string policy = r.str("the state hash policy");
    if (policy != Hash::name)
        r.fail("hold states counted under the '" + policy + "' policy, expected '" + std::string(Hash::name) + "'");
    const std::uint64_t neurons = r.u64("the neurons");
    const std::uint64_t seen = r.u64("the states seen");
    const std::uint64_t inputs = r.u64("the inputs");
    const std::uint64_t per_input = r.u64("the states per input");
    if (neurons == 0) {
        const std::uint64_t n = r.u64("the distinct states");
        if (seen != 0 || n != 0) r.fail("hold states of 0 neurons");
        state_counter<Hash> c;
        c.add_inputs(inputs, static_cast<std::size_t>(per_input));
        return c;
    }
    if (neurons > (std::uint64_t{1} << 40)) r.fail("declare " + std::to_string(neurons) + " neurons per state");
    const std::size_t words = state_words(static_cast<std::size_t>(neurons));
    const std::size_t stride = Hash::exact ? words + 1 : 2, key_words = stride - 1;
    const std::size_t n = r.count("distinct states", stride * 8);
    state_counter<Hash> c(static_cast<std::size_t>(neurons));
    // Sized only when states follow: r.count has checked that their bytes are there, so a huge declared
    // neuron count with no state behind it allocates nothing (found by fuzz/fuzz_mpi_bytes.cpp).
    std::vector<std::uint64_t> previous(n ? key_words : 0), row(n ? stride : 0);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (auto& x : row) x = r.u64("a state");
        if (i > 0) {
            bool ascending = false;
            for (std::size_t k = key_words; k-- > 0;)
                if (row[k] != previous[k]) {
                    ascending = row[k] > previous[k];
                    break;
                }
            if (!ascending) r.fail("list state " + std::to_string(i) + " out of ascending order (or twice)");
        }
        std::copy(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(key_words), previous.begin());
        const std::uint64_t count = row[key_words];
        if (count > UINT64_MAX - total) r.fail("hold counts that overflow 64 bits");
        total += count;
        try {
            if constexpr (Hash::exact) c.add_key(row.data(), 0, count);
            else c.add_key(nullptr, row[0], count);
        } catch (const value_error& e) {
            r.fail(std::string("hold an invalid state: ") + e.what());
        }
    }
    if (total != seen)
        r.fail("hold counts that add up to " + std::to_string(total) + " but declare " + std::to_string(seen) +
               " states seen");
    c.add_inputs(inputs, static_cast<std::size_t>(per_input));
    return c;
}

}  // namespace detail::states

template <class Hash>
std::vector<std::uint8_t> state_counter_to_bytes(const state_counter<Hash>& c) {
    io::byte_writer w;
    detail::states::write_counter(w, c);
    return w.take();
}

// Throws format_error on bytes of another policy, or truncated or malformed bytes.
template <class Hash = exact_hash>
state_counter<Hash> state_counter_from_bytes(std::span<const std::uint8_t> bytes) {
    io::byte_reader r(bytes, "state counter bytes");
    state_counter<Hash> c = detail::states::read_counter<Hash>(r);
    r.finish();
    return c;
}

// Every capture point's name and counter, in point order.
template <class Hash>
std::vector<std::uint8_t> state_capture_to_bytes(const state_capture<Hash>& capture) {
    io::byte_writer w;
    w.magic(state_capture_bytes_tag);
    w.u64(capture.points().size());
    for (const auto& p : capture.points()) {
        w.str(p.name);
        detail::states::write_counter(w, p.states);
    }
    return w.take();
}

// Merges the counters of capture bytes into `into`'s points (state_capture::merge): the points must be
// the same, in the same order (value_error); the bytes well formed (format_error).
template <class Hash>
void merge_state_capture_bytes(state_capture<Hash>& into, std::span<const std::uint8_t> bytes) {
    io::byte_reader r(bytes, "state capture bytes");
    r.magic(state_capture_bytes_tag);
    const std::size_t n = r.count("capture points", 8);
    std::vector<std::pair<std::string, state_counter<Hash>>> points;
    points.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::string name = r.str("a capture point name");
        points.emplace_back(std::move(name), detail::states::read_counter<Hash>(r));
    }
    r.finish();
    into.check_same_points(points.size(), [&](std::size_t i) -> const std::string& { return points[i].first; });
    for (std::size_t i = 0; i < points.size(); ++i) into.points()[i].states.merge(points[i].second);
}

}  // namespace xddp
