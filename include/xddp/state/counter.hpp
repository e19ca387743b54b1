#pragma once
// state_counter: the states of one capture point (specs/tensorstate.md "Counting"). Every add() packs a
// batch (N, C, d1, ...) straight from its layout (one state per (n, d1, ...), capture order n-major) and
// counts the packed states under a compile-time state_hash policy; reset() forgets them.
//
//   xddp::state_counter<> states;             // exact_hash; state_counter<xddp::compact_hash> for 64-bit keys
//   states.add(activation);                   // (N, C, H, W) or (N, C), as many batches as there are
//   states.distinct();  states.entropy(1);  states.efficiency();
//   auto [bytes, counts] = states.distinct_states();   // TensorState's order (exact_hash only)
//
// Threads: a batch is cut into units of unit_states() consecutive states (about 16 KiB packed), processed
// in parallel. A unit packs and hashes its states, buckets them by shard (the top 4 bits of the hash: 16
// tables), and adds each bucket to its shard's table under that shard's lock, taking free shards first.
// Every state is added exactly once, so no state is lost or counted twice; the order states reach a table
// may vary with the threads, but everything a counter reports (counts, histogram, distinct states,
// entropies) is computed in a canonical order and is bit-identical for any thread count or batch size.
// (One add() at a time per counter: a counter reuses its scratch buffers; distinct counters are independent.)

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "xddp/core/error.hpp"
#include "xddp/core/parallel_for.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/core/tensor_ref.hpp"
#include "xddp/state/efficiency.hpp"
#include "xddp/state/hash.hpp"
#include "xddp/state/pack.hpp"

namespace xddp {

// Distinct states in TensorState's order (ascending as little-endian unsigned integers, neuron 0 the
// least significant bit) with the count of each: states is (distinct, state_bytes(neurons)).
struct state_counts {
    std::size_t neurons = 0;
    xt::xtensor<std::uint8_t, 2> states;
    std::vector<std::uint64_t> counts;
};

template <class Hash = exact_hash>
class state_counter {
    static_assert(state_hash<Hash>,
                  "xddp::state_counter<Hash>: Hash is not a state-hashing policy. Use xddp::exact_hash (exact "
                  "counts) or xddp::compact_hash (64-bit keys), or a type with static name, exact, "
                  "hash(const std::uint64_t*, std::size_t) and a table type satisfying xddp::state_table");

public:
    using hash_policy = Hash;
    static constexpr std::size_t shards = 16;
    // States per unit of work: a unit's packed states fill 16 KiB (half of L1) whatever C, and at least
    // one full packing tile.
    static constexpr std::size_t unit_states(std::size_t words) noexcept {
        return std::max<std::size_t>(detail::states::pack_tile, 16384 / (8 * words));
    }

    state_counter() { init_tables(); }
    // Fixes the number of neurons up front; an add() of another width is then a shape_error.
    explicit state_counter(std::size_t neurons) : fixed_neurons_(neurons) {
        if (neurons == 0) throw shape_error("state_counter: a state needs at least one neuron");
        set_neurons(neurons);
    }

    // Also keeps every packed state in capture order (packed_states(), input_counts()). Costs
    // state_words(C) * 8 bytes per state; set it before the first add.
    void keep_states(bool keep) {
        if (state_count_ != 0 && keep != keep_states_)
            throw value_error("state_counter: keep_states must be set before the first states are added");
        keep_states_ = keep;
    }
    bool keeps_states() const noexcept { return keep_states_; }

    // A batch (N, C, d1, ...): N * d1 * ... states of C neurons; (N, C) gives one state per input.
    void add(const tensor_ref& x) {
        const shape_t& shape = x.shape();
        if (shape.size() < 2)
            throw shape_error("state_counter: activation of shape " + to_string(shape) +
                              " has no neuron axis; expected (N, C) or (N, C, d1, ...)");
        const std::size_t n = shape[0], c = shape[1];
        std::size_t positions = 1;
        for (std::size_t i = 2; i < shape.size(); ++i) positions *= shape[i];
        add(x.data(), n, c, positions);
    }

    // inputs (N) x neurons (C) x positions (d1 * d2 * ...) floats in that order.
    void add(const float* data, std::size_t inputs, std::size_t neurons, std::size_t positions) {
        check_neurons(neurons, "an activation with");
        const std::size_t total = inputs * positions;
        record_inputs(inputs, positions);
        if (total == 0) return;
        const std::size_t words = words_;
        std::uint64_t* buffer = destination(total);
        const auto pack = [&](std::size_t first, std::size_t count, std::uint64_t* out) {
            while (count) {
                const std::size_t n = first / positions, p = first % positions;
                const std::size_t take = std::min(count, positions - p);
                pack_states(data + n * neurons * positions, neurons, positions, p, take, out, words);
                first += take;
                count -= take;
                out += take * words;
            }
        };
        count_batch(total, buffer, pack);
    }

    // Packed states, rows of state_bytes(neurons) bytes as TensorState stores them (padding bits zero).
    void add_packed(std::span<const std::uint8_t> bytes, std::size_t neurons) {
        check_neurons(neurons, "packed states of");
        const std::size_t b = state_bytes(neurons);
        if (bytes.size() % b != 0)
            throw shape_error("state_counter: " + std::to_string(bytes.size()) + " packed bytes are not rows of " +
                              std::to_string(b) + " bytes (" + std::to_string(neurons) + " neurons)");
        const std::size_t total = bytes.size() / b;
        const std::uint8_t last_mask = neurons % 8 ? static_cast<std::uint8_t>(0xff << (neurons % 8)) : 0;
        for (std::size_t r = 0; r < total; ++r)
            if (bytes[r * b + b - 1] & last_mask)
                throw value_error("state_counter: packed state " + std::to_string(r) + " has bits set past neuron " +
                                  std::to_string(neurons - 1) + "; padding bits must be zero");
        record_inputs(total, 1);
        if (total == 0) return;
        const std::size_t words = words_;
        std::uint64_t* buffer = destination(total);
        const auto unpack = [&](std::size_t first, std::size_t count, std::uint64_t* out) {
            for (std::size_t r = first; r < first + count; ++r, out += words) {
                std::fill(out, out + words, 0);
                for (std::size_t k = 0; k < b; ++k) out[k / 8] |= std::uint64_t{bytes[r * b + k]} << (8 * (k % 8));
            }
        };
        count_batch(total, buffer, unpack);
    }

    // Adds another counter's states (union with counts): equal keys add their counts, new keys are added,
    // states seen and inputs add; for compact_hash the same on the 64-bit keys. Integer sums only, so
    // merging is associative and order-independent: shards' counters merged in any order or grouping
    // report the same counts, histogram, entropies and efficiency as one counter of all the inputs.
    // Counters of different widths do not merge (shape_error); kept states have a capture order, which a
    // merge cannot honour (value_error).
    void merge(const state_counter& other) {
        if (&other == this) throw value_error("state_counter::merge: a counter cannot be merged into itself");
        if (other.state_count_ == 0 && other.inputs_ == 0) return;
        if (keep_states_ || other.keep_states_)
            throw value_error("state_counter::merge: the counters keep their states in capture order "
                              "(keep_states), which merging cannot preserve; merge counters without kept states");
        check_neurons(other.neurons_, "merging a counter of");
        other.for_each_key([&](const std::uint64_t* words, std::uint64_t hash, std::uint64_t count) {
            add_key(words, hash, count);
        });
        add_inputs(other.inputs_, other.positions_);
    }

    // Every distinct key once, in no particular order: f(words, hash, count), words the packed state
    // (state_words(neurons()) words) for exact_hash and nullptr for compact_hash.
    template <class F>
    void for_each_key(F&& f) const {
        for (const auto& t : tables_) t.for_each(f);
    }

    // Adds `count` sightings of one key, as merge() and the bytes reader (state/bytes.hpp) do: exact_hash
    // takes the packed words (padding bits zero; the hash is recomputed from them), compact_hash the hash.
    // neurons() must be known (fixed or set by an earlier add).
    void add_key(const std::uint64_t* words, std::uint64_t hash, std::uint64_t count) {
        if (neurons_ == 0) throw value_error("state_counter::add_key: the counter's width is not known yet");
        if (count == 0) throw value_error("state_counter::add_key: a key seen 0 times is not a state");
        if constexpr (Hash::exact) {
            if (!words) throw value_error("state_counter::add_key: the exact policy needs the state's words");
            const std::size_t top = neurons_ % 64;
            if (top && (words[words_ - 1] >> top) != 0)
                throw value_error("state_counter::add_key: a state of " + std::to_string(neurons_) +
                                  " neurons has bits set past its last neuron; padding bits must be zero");
            hash = Hash::hash(words, words_);
        }
        tables_[hash >> 60].add(words, hash, count);
        state_count_ += count;
    }

    // Adds inputs seen elsewhere (a merged counter's): inputs() grows by `inputs`; states_per_input()
    // becomes the larger of the two, so that it too does not depend on the merge order.
    void add_inputs(std::uint64_t inputs, std::size_t states_per_input) {
        inputs_ += inputs;
        positions_ = std::max(positions_, states_per_input);
    }

    // Forgets every state (and the width, unless fixed at construction); keeps the memory.
    void reset() {
        for (auto& t : tables_) t.clear();
        state_count_ = 0;
        inputs_ = 0;
        positions_ = 0;
        stored_.clear();
        input_offsets_.assign(1, 0);
        if (!fixed_neurons_) neurons_ = 0;
    }

    // Neurons per state (C); 0 before the first add unless fixed.
    std::size_t neurons() const noexcept { return neurons_; }
    // States seen, repeats included (TensorState's state_count).
    std::uint64_t state_count() const noexcept { return state_count_; }
    // Inputs seen (the N of every batch added up).
    std::uint64_t inputs() const noexcept { return inputs_; }
    // States per input of the last batch (H * W for a conv layer, 1 for a vector).
    std::size_t states_per_input() const noexcept { return positions_; }
    // Distinct states (for compact_hash: distinct 64-bit keys).
    std::size_t distinct() const noexcept {
        std::size_t d = 0;
        for (const auto& t : tables_) d += t.distinct();
        return d;
    }

    count_histogram histogram() const {
        std::vector<std::uint64_t> all;
        all.reserve(distinct());
        for (const auto& t : tables_) t.for_each([&](const std::uint64_t*, std::uint64_t, std::uint64_t c) { all.push_back(c); });
        return count_histogram::from_counts(all);
    }

    // The count of every distinct state: exact_hash in TensorState's order (as distinct_states()),
    // compact_hash in ascending order of the 64-bit keys.
    std::vector<std::uint64_t> counts() const {
        if constexpr (Hash::exact) {
            return distinct_states().counts;
        } else {
            std::vector<std::pair<std::uint64_t, std::uint64_t>> keyed;
            keyed.reserve(distinct());
            for (const auto& t : tables_)
                t.for_each([&](const std::uint64_t*, std::uint64_t h, std::uint64_t c) { keyed.emplace_back(h, c); });
            std::sort(keyed.begin(), keyed.end());
            std::vector<std::uint64_t> out(keyed.size());
            for (std::size_t i = 0; i < keyed.size(); ++i) out[i] = keyed[i].second;
            return out;
        }
    }

    // Distinct states and their counts in TensorState's order.
    state_counts distinct_states() const {
        static_assert(Hash::exact,
                      "state_counter::distinct_states() lists the states themselves, which only the exact policy "
                      "keeps: count with xddp::exact_hash (compact_hash keeps 64-bit hashes of them)");
        std::vector<std::pair<const std::uint64_t*, std::uint64_t>> entries;
        entries.reserve(distinct());
        for (const auto& t : tables_)
            t.for_each([&](const std::uint64_t* key, std::uint64_t, std::uint64_t c) { entries.emplace_back(key, c); });
        const std::size_t words = words_;
        std::sort(entries.begin(), entries.end(), [words](const auto& a, const auto& b) {
            for (std::size_t w = words; w-- > 0;)
                if (a.first[w] != b.first[w]) return a.first[w] < b.first[w];
            return false;
        });
        return to_state_counts(entries);
    }

    // Renyi entropy of order alpha in bits (efficiency.hpp).
    double entropy(double alpha = 1.0) const { return renyi_entropy(histogram(), alpha); }
    // The largest possible entropy: one bit per neuron.
    double max_entropy() const noexcept { return static_cast<double>(neurons_); }
    // entropy(alpha1) / C, or entropy(alpha1) / entropy(alpha2) with alpha1 > alpha2 (efficiency.hpp).
    double efficiency(double alpha1 = 1.0, std::optional<double> alpha2 = std::nullopt) const {
        if (neurons_ == 0 && !alpha2) return 0.0;  // nothing captured yet
        return layer_efficiency(histogram(), neurons_, alpha1, alpha2);
    }

    // Every state in capture order, (state_count, state_bytes(C)) as TensorState's raw states (keep_states only).
    xt::xtensor<std::uint8_t, 2> packed_states() const {
        require_kept("packed_states");
        const std::size_t b = state_bytes(neurons_);
        const auto bytes = packed_bytes(stored_, neurons_);
        xt::xtensor<std::uint8_t, 2> out = xt::xtensor<std::uint8_t, 2>::from_shape({static_cast<std::size_t>(state_count_), b});
        std::copy(bytes.begin(), bytes.end(), out.data());
        return out;
    }

    // The distinct states of one input (0-based over every input added since the last reset) and their
    // counts, in TensorState's order (keep_states only).
    state_counts input_counts(std::size_t input) const {
        require_kept("input_counts");
        if (input >= inputs_)
            throw value_error("state_counter: input " + std::to_string(input) + " does not exist; " +
                              std::to_string(inputs_) + " inputs were added");
        const std::size_t words = words_;
        const std::uint64_t first = input_offsets_[input], last = input_offsets_[input + 1];
        detail::states::exact_table<Hash> table;
        table.init(words);
        for (std::uint64_t r = first; r < last; ++r) {
            const std::uint64_t* s = stored_.data() + r * words;
            table.add(s, Hash::hash(s, words), 1);
        }
        std::vector<std::pair<const std::uint64_t*, std::uint64_t>> entries;
        table.for_each([&](const std::uint64_t* key, std::uint64_t, std::uint64_t c) { entries.emplace_back(key, c); });
        std::sort(entries.begin(), entries.end(), [words](const auto& a, const auto& b) {
            for (std::size_t w = words; w-- > 0;)
                if (a.first[w] != b.first[w]) return a.first[w] < b.first[w];
            return false;
        });
        return to_state_counts(entries);
    }

private:
    using table_type = typename detail::states::table_of<Hash>::type;

    void init_tables() {
        for (auto& t : tables_) t.init(words_);
    }

    void set_neurons(std::size_t neurons) {
        neurons_ = neurons;
        words_ = state_words(neurons);
        init_tables();
    }

    void check_neurons(std::size_t neurons, const char* what) {
        if (neurons == 0) throw shape_error(std::string("state_counter: ") + what + " 0 neurons; a state needs at least one");
        if (neurons_ == 0) set_neurons(neurons);
        else if (neurons != neurons_)
            throw shape_error(std::string("state_counter: ") + what + " " + std::to_string(neurons) +
                              " neurons, but the states counted so far have " + std::to_string(neurons_) +
                              "; one counter holds states of one width (reset() to start over)");
    }

    void record_inputs(std::size_t inputs, std::size_t positions) {
        if (keep_states_)
            for (std::size_t i = 0; i < inputs; ++i) input_offsets_.push_back(input_offsets_.back() + positions);
        inputs_ += inputs;
        positions_ = positions;
    }

    void require_kept(const char* what) const {
        if (!keep_states_)
            throw value_error(std::string("state_counter::") + what +
                              ": the states themselves were not kept; call keep_states(true) before adding them");
    }

    // Where a batch of total states is packed: appended to the kept states, or the scratch buffer.
    std::uint64_t* destination(std::size_t total) {
        if (keep_states_) {
            const std::size_t old = stored_.size();
            stored_.resize(old + total * words_);
            return stored_.data() + old;
        }
        return nullptr;  // count_batch packs into scratch
    }

    // How far ahead of an insert its table slot is prefetched (the tables outgrow L1 while the
    // activations stream through the caches).
    static constexpr std::size_t prefetch_distance = 8;

    template <class Pack>
    void count_batch(std::size_t total, std::uint64_t* kept, const Pack& pack) {
        const std::size_t words = words_;
        const std::size_t unit = unit_states(words);
        const std::size_t units = (total + unit - 1) / unit;
        const bool parallel = units > 1 && default_thread_pool().size() > 1;
        if (!parallel) {
            // One thread: pack, hash and count unit by unit, in capture order (the order every shard sees
            // in the parallel path too).
            if (!kept) scratch_.resize(std::min(total, unit) * words);
            hashes_.resize(std::min(total, unit));
            for (std::size_t u = 0; u < units; ++u) {
                const std::size_t first = u * unit, count = std::min(unit, total - first);
                std::uint64_t* rows = kept ? kept + first * words : scratch_.data();
                pack(first, count, rows);
                for (std::size_t i = 0; i < count; ++i) hashes_[i] = Hash::hash(rows + i * words, words);
                for (std::size_t i = 0; i < count; ++i) {
                    if (i + prefetch_distance < count) {
                        const std::uint64_t ahead = hashes_[i + prefetch_distance];
                        tables_[ahead >> 60].prefetch(ahead);
                    }
                    tables_[hashes_[i] >> 60].add(rows + i * words, hashes_[i], 1);
                }
            }
        } else {
            // Units in parallel: each packs and hashes its states, buckets them by shard, then hands each
            // bucket to its shard's table under that shard's lock, taking free shards first.
            if (!kept) scratch_.resize(total * words);
            std::uint64_t* rows = kept ? kept : scratch_.data();
            hashes_.resize(total);
            order_.resize(total);
            std::array<std::mutex, shards> locks;
            parallel_for(0, units, [&](std::size_t u) {
                const std::size_t first = u * unit, count = std::min(unit, total - first);
                pack(first, count, rows + first * words);
                std::array<std::uint32_t, shards + 1> start{};
                for (std::size_t i = first; i < first + count; ++i) {
                    const std::uint64_t h = Hash::hash(rows + i * words, words);
                    hashes_[i] = h;
                    ++start[(h >> 60) + 1];
                }
                for (std::size_t k = 0; k < shards; ++k) start[k + 1] += start[k];
                const std::array<std::uint32_t, shards + 1> bucket = start;
                std::uint32_t* index = order_.data() + first;
                for (std::size_t i = first; i < first + count; ++i)
                    index[start[hashes_[i] >> 60]++] = static_cast<std::uint32_t>(i - first);
                std::array<bool, shards> done{};
                std::size_t left = 0;
                for (std::size_t k = 0; k < shards; ++k) left += !(done[k] = bucket[k] == bucket[k + 1]);
                for (std::size_t k = u % shards, idle = 0; left; k = (k + 1) % shards) {
                    if (done[k]) continue;
                    std::unique_lock lock(locks[k], std::try_to_lock);
                    if (!lock.owns_lock()) {
                        if (++idle <= shards) continue;  // busy: come back to it
                        lock.lock();                      // a whole round of busy shards: wait
                    }
                    idle = 0;
                    table_type& table = tables_[k];
                    for (std::uint32_t j = bucket[k]; j < bucket[k + 1]; ++j) {
                        if (j + prefetch_distance < bucket[k + 1]) table.prefetch(hashes_[first + index[j + prefetch_distance]]);
                        const std::size_t i = first + index[j];
                        table.add(rows + i * words, hashes_[i], 1);
                    }
                    done[k] = true;
                    --left;
                }
            });
        }
        state_count_ += total;
    }

    state_counts to_state_counts(const std::vector<std::pair<const std::uint64_t*, std::uint64_t>>& entries) const {
        state_counts out;
        out.neurons = neurons_;
        const std::size_t b = state_bytes(neurons_);
        out.states = xt::xtensor<std::uint8_t, 2>::from_shape({entries.size(), b});
        out.counts.resize(entries.size());
        std::uint8_t* p = out.states.data();
        for (std::size_t i = 0; i < entries.size(); ++i) {
            for (std::size_t k = 0; k < b; ++k) *p++ = static_cast<std::uint8_t>(entries[i].first[k / 8] >> (8 * (k % 8)));
            out.counts[i] = entries[i].second;
        }
        return out;
    }

    std::size_t fixed_neurons_ = 0, neurons_ = 0, words_ = 1, positions_ = 0;
    std::uint64_t state_count_ = 0, inputs_ = 0;
    bool keep_states_ = false;
    std::array<table_type, shards> tables_{};
    std::vector<std::uint64_t> stored_, input_offsets_{0};
    // Scratch reused across batches.
    std::vector<std::uint64_t> scratch_, hashes_;
    std::vector<std::uint32_t> order_;
};

}  // namespace xddp
