// State counting and state-space metrics against TensorState's golden data (golden/tensorstate/):
// packed states, distinct states and counts in TensorState's order, entropies and efficiencies, network
// efficiency and aIQ, from the exported LeNet-5 activations, the synthetic widths and the edge cases.

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xddp/core/threads.hpp>
#include <xddp/io/npy.hpp>
#include <xddp/state/state.hpp>

#include "shared_dir.hpp"
#include "read_json.hpp"
#include "thread_count_guard.hpp"

namespace {

namespace fs = std::filesystem;

fs::path golden_dir() { return shared_dir() / "golden/tensorstate"; }

// |a - b| <= tol * max(|b|, tiny): relative, and exact for zeros.
bool close(double a, double b, double tol = 1e-12) {
    if (a == b) return true;
    return std::abs(a - b) <= tol * std::max(std::abs(b), 1e-300);
}

std::vector<std::uint64_t> as_counts(const xt::xarray<std::int64_t>& a) {
    return std::vector<std::uint64_t>(a.begin(), a.end());
}

// Feeds x (N, ...) to the counter in batches of `batch` inputs.
template <class Counter>
void add_in_batches(Counter& counter, const xt::xarray<float>& x, std::size_t batch) {
    const std::size_t n = x.shape()[0], per = x.size() / n;
    for (std::size_t first = 0; first < n; first += batch) {
        xddp::shape_t shape(x.shape().begin(), x.shape().end());
        shape[0] = std::min(batch, n - first);
        counter.add(xddp::tensor_ref(x.data() + first * per, shape));
    }
}

const char* const lenet_configs[] = {"conv_after", "conv_before", "bn_linear_after_excl_norm1"};

}  // namespace

static_assert(xddp::state_hash<xddp::exact_hash>);
static_assert(xddp::state_hash<xddp::compact_hash>);
static_assert(!xddp::state_hash<int>);
static_assert(!xddp::state_hash<xddp::detail::states::compact_table>);

TEST_CASE("state packing: LSB-first bytes of any width, firing iff value > 0, vs a naive reference") {
    const float specials[] = {0.0f, -0.0f, std::nanf(""), -INFINITY, INFINITY, 1e-38f, -1e-38f, 1e-45f, 3.0f, -2.0f};
    std::uint64_t seed = 7;
    const auto next = [&] {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        return seed >> 33;
    };
    for (std::size_t c : {1u, 7u, 8u, 9u, 63u, 64u, 65u, 100u, 129u, 1000u}) {
        for (std::size_t positions : {1u, 3u, 255u, 256u, 257u, 600u}) {
            const std::size_t n = 2;
            std::vector<float> x(n * c * positions);
            for (auto& v : x) v = specials[next() % 10];
            xddp::state_counter<> counter;
            counter.keep_states(true);
            counter.add(xddp::tensor_ref(x.data(), {n, c, positions}));
            const auto packed = counter.packed_states();
            REQUIRE(packed.shape()[0] == n * positions);
            REQUIRE(packed.shape()[1] == xddp::state_bytes(c));
            bool same = true;
            for (std::size_t b = 0; b < n && same; ++b)
                for (std::size_t p = 0; p < positions && same; ++p)
                    for (std::size_t j = 0; j < xddp::state_bytes(c) * 8; ++j) {
                        const bool fires = j < c && x[(b * c + j) * positions + p] > 0.0f;
                        const bool bit = (packed(b * positions + p, j / 8) >> (j % 8)) & 1;
                        if (fires != bit) {
                            same = false;
                            break;
                        }
                    }
            CHECK_MESSAGE(same, "C = " << c << ", positions = " << positions);
            CHECK(counter.state_count() == n * positions);
        }
    }
}

TEST_CASE("LeNet-5 golden activations: exact packed states, distinct states, counts and metrics") {
    const auto golden = read_json(golden_dir() / "lenet5/golden.json");
    for (const char* config : lenet_configs) {
        const auto& cfg = golden["configs"][config];
        std::vector<double> efficiencies;
        for (const auto& layer : cfg["layers"]) {
            const std::string name = layer["name"];
            CAPTURE(config);
            CAPTURE(name);
            const fs::path base = golden_dir() / ("lenet5/states_" + std::string(config)) / name;
            const auto x = xddp::io::load_npy<float>(base.string() + "__activation.npy");
            const auto packed = xddp::io::load_npy<std::uint8_t>(base.string() + "__packed_states.npy");
            const auto unique = xddp::io::load_npy<std::uint8_t>(base.string() + "__unique_states.npy");
            const auto counts = as_counts(xddp::io::load_npy<std::int64_t>(base.string() + "__counts.npy"));

            xddp::state_counter<> exact;
            exact.keep_states(true);
            exact.add(x);
            CHECK(exact.neurons() == layer["n_neurons"].get<std::size_t>());
            CHECK(exact.state_count() == layer["state_count"].get<std::uint64_t>());
            CHECK(exact.states_per_input() == layer["states_per_instance"].get<std::size_t>());
            CHECK(exact.packed_states() == packed);
            CHECK(exact.distinct() == layer["distinct_states"].get<std::size_t>());
            const xddp::state_counts listed = exact.distinct_states();
            CHECK(listed.states == unique);
            CHECK(listed.counts == counts);
            CHECK(exact.counts() == counts);
            CHECK(exact.histogram().max_count() == layer["max_count"].get<std::uint64_t>());

            CHECK(close(exact.entropy(0), layer["entropy_alpha0"]));
            CHECK(close(exact.entropy(1), layer["entropy_alpha1"]));
            CHECK(close(exact.entropy(2), layer["entropy_alpha2"]));
            CHECK(close(exact.efficiency(), layer["efficiency"]));
            CHECK(close(exact.efficiency(1, 0), layer["efficiency_alpha1_over_alpha0"]));
            CHECK(close(exact.efficiency(2), layer["efficiency_alpha2"]));
            CHECK(exact.max_entropy() == layer["n_neurons"].get<double>());
            efficiencies.push_back(exact.efficiency());

            // The compact policy agrees on every number (no collisions among these few states).
            xddp::state_counter<xddp::compact_hash> compact;
            compact.add(x);
            CHECK(compact.distinct() == exact.distinct());
            CHECK(compact.state_count() == exact.state_count());
            CHECK(compact.histogram().bins == exact.histogram().bins);
            CHECK(compact.entropy(1) == exact.entropy(1));
            CHECK(compact.efficiency() == exact.efficiency());

            // Counting the golden packed bytes directly gives the same states.
            xddp::state_counter<> from_bytes;
            from_bytes.add_packed(std::span<const std::uint8_t>(packed.data(), packed.size()), exact.neurons());
            CHECK(from_bytes.distinct_states().counts == counts);
        }
        const double net = xddp::network_efficiency(std::span<const double>(efficiencies));
        CHECK(close(net, cfg["network_efficiency"]));
        // The aIQ table: "acc=<a>,beta=<b>" for fixed accuracies and the measured (random-label) one.
        for (const auto& item : cfg["aIQ"].items()) {
            const std::string key = item.key();
            const nlohmann::json& value = item.value();
            CAPTURE(key);
            const auto comma = key.find(",beta=");
            const std::string acc_text = key.substr(4, comma - 4);
            const int beta = std::stoi(key.substr(comma + 6));
            const double accuracy = acc_text == "measured_random_labels" ? cfg["accuracy_measured_random_labels"].get<double>()
                                                                        : std::stod(acc_text);
            CHECK(close(xddp::aiq(net, accuracy, beta), value.get<double>()));
        }
        CHECK(close(xddp::aiq(net, cfg["aIQ_main"]["accuracy"], cfg["aIQ_main"]["beta"]), cfg["aIQ_main"]["value"]));
    }
}

TEST_CASE("counts do not depend on the thread count or the batch size") {
    thread_count_guard guard;
    const fs::path dir = golden_dir() / "lenet5/states_conv_after";
    for (const char* name : {"conv_1_post_states", "conv_2_post_states", "conv_3_post_states"}) {
        CAPTURE(name);
        const auto x = xddp::io::load_npy<float>(dir / (std::string(name) + "__activation.npy"));
        const auto golden_counts = as_counts(xddp::io::load_npy<std::int64_t>(dir / (std::string(name) + "__counts.npy")));
        std::vector<std::uint64_t> first_counts;
        double first_entropy = -1;
        for (unsigned threads : {1u, 2u}) {
            xddp::set_num_threads(threads);
            for (std::size_t batch : {1u, 7u, 256u}) {
                CAPTURE(threads);
                CAPTURE(batch);
                xddp::state_counter<> exact;
                add_in_batches(exact, x, batch);
                const auto counts = exact.counts();
                CHECK(counts == golden_counts);
                CHECK(exact.inputs() == 256);
                xddp::state_counter<xddp::compact_hash> compact;
                add_in_batches(compact, x, batch);
                CHECK(compact.histogram().bins == exact.histogram().bins);
                if (first_entropy < 0) {
                    first_entropy = exact.entropy();
                    first_counts = compact.counts();
                }
                CHECK(exact.entropy() == first_entropy);  // bit for bit
                CHECK(compact.counts() == first_counts);
            }
        }
    }
}

TEST_CASE("synthetic widths 1..1000: packed states, TensorState order, counts and entropies") {
    const auto golden = read_json(golden_dir() / "synthetic/golden.json");
    for (const auto& item : golden["widths"].items()) {
        const std::string width = item.key();
        const nlohmann::json& expected = item.value();
        CAPTURE(width);
        const std::size_t c = expected["n_neurons"];
        const fs::path base = golden_dir() / "synthetic/states" / ("w" + width);
        const auto packed = xddp::io::load_npy<std::uint8_t>(base.string() + "__packed.npy");
        const auto unique = xddp::io::load_npy<std::uint8_t>(base.string() + "__unique_states.npy");
        const auto counts = as_counts(xddp::io::load_npy<std::int64_t>(base.string() + "__counts.npy"));
        REQUIRE(packed.shape()[1] == expected["bytes_per_state"].get<std::size_t>());

        xddp::state_counter<> exact;
        exact.keep_states(true);
        const fs::path values_file = base.string() + "__values.npy";
        if (fs::exists(values_file)) {  // (N, C) float values with 0, -0, NaN, +-inf, 1e-38
            const auto values = xddp::io::load_npy<float>(values_file);
            exact.add(values);
        } else {  // C = 1000 comes as packed bytes only
            exact.add_packed(std::span<const std::uint8_t>(packed.data(), packed.size()), c);
        }
        CHECK(exact.neurons() == c);
        CHECK(exact.packed_states() == packed);
        CHECK(exact.state_count() == expected["state_count"].get<std::uint64_t>());
        CHECK(exact.distinct() == expected["distinct_states"].get<std::size_t>());
        const auto listed = exact.distinct_states();
        CHECK(listed.states == unique);
        CHECK(listed.counts == counts);
        CHECK(listed.counts.front() == expected["count_of_all_zero_state"].get<std::uint64_t>());
        CHECK(listed.counts.back() == expected["count_of_all_one_state"].get<std::uint64_t>());
        for (std::size_t i = 0; i < expected["counts_head_tensorstate_order"].size(); ++i)
            CHECK(listed.counts[i] == expected["counts_head_tensorstate_order"][i].get<std::uint64_t>());
        CHECK(close(exact.entropy(0), expected["entropy_alpha0"]));
        CHECK(close(exact.entropy(1), expected["entropy_alpha1"]));
        CHECK(close(exact.entropy(2), expected["entropy_alpha2"]));
        CHECK(close(exact.efficiency(), expected["efficiency"]));

        xddp::state_counter<xddp::compact_hash> compact;
        compact.add_packed(std::span<const std::uint8_t>(packed.data(), packed.size()), c);
        CHECK(compact.distinct() == exact.distinct());
        CHECK(compact.histogram().bins == exact.histogram().bins);
        CHECK(compact.entropy(2) == exact.entropy(2));
    }
}

TEST_CASE("edge cases: entropy, layer efficiency, network efficiency and aIQ as TensorState gives them") {
    const auto golden = read_json(golden_dir() / "edge_cases.json");
    const auto value = [](const nlohmann::json& j) { return j["value"].get<double>(); };
    const auto signbit = [](const nlohmann::json& j) { return j["signbit"].get<bool>(); };
    using counts = std::vector<std::uint64_t>;

    SUBCASE("entropy") {
        const auto& e = golden["entropy"];
        struct row {
            const char* key;
            counts c;
            double alpha;
        };
        std::vector<std::uint64_t> fives(16, 5);
        const row rows[] = {{"counts=[] alpha=1", {}, 1},          {"counts=[7] alpha=1", {7}, 1},
                            {"counts=[7] alpha=0", {7}, 0},        {"counts=[7] alpha=2", {7}, 2},
                            {"counts=[1,3] alpha=1", {1, 3}, 1},   {"counts=[1,3] alpha=0", {1, 3}, 0},
                            {"counts=[1,3] alpha=2", {1, 3}, 2},   {"counts=[1,3] alpha=0.5", {1, 3}, 0.5},
                            {"counts=[5]*16 alpha=1 (uniform -> log2 16)", fives, 1},
                            {"counts=[1,2,3,4,5,6,7,8,9,10] alpha=1", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1}};
        for (const row& r : rows) {
            CAPTURE(r.key);
            REQUIRE(e.contains(r.key));
            const double h = xddp::renyi_entropy(r.c, r.alpha);
            CHECK(close(h, value(e[r.key])));
            CHECK(std::signbit(h) == signbit(e[r.key]));
        }
        // TensorState's formula overflows to NaN at alpha = inf; xddp returns the limit, the min-entropy.
        CHECK(e["counts=[1,3] alpha=inf"]["value"] == "nan");
        CHECK(xddp::renyi_entropy(counts{1, 3}, INFINITY) == doctest::Approx(-std::log2(0.75)).epsilon(1e-15));
        CHECK_THROWS_AS(xddp::renyi_entropy(counts{1, 3}, -1), xddp::value_error);
        CHECK_THROWS_AS(xddp::renyi_entropy(counts{1, 3}, std::nan("")), xddp::value_error);
    }

    SUBCASE("layer efficiency with C = 8") {
        const auto& e = golden["layer_efficiency_with_C=8"];
        const auto eff = [](const counts& c, double a1 = 1, std::optional<double> a2 = {}) {
            return xddp::layer_efficiency(xddp::count_histogram::from_counts(c), 8, a1, a2);
        };
        CHECK(eff({7}) == value(e["one state (entropy 0)"]));
        CHECK(!std::signbit(eff({7})));
        CHECK(eff({}) == value(e["no states captured (counts empty)"]));
        CHECK(eff(counts(256, 3)) == value(e["uniform over 256 states = 1.0"]));
        // TensorState divides 0 by 0 here; xddp defines a layer with a single state as efficiency 0.
        CHECK(e["efficiency(1,0) one state = 0/0"]["value"] == "nan");
        CHECK(eff({7}, 1, 0) == 0.0);
        CHECK(eff({1, 3}, 1, 0) == doctest::Approx(0.8112781244591328));
        CHECK_THROWS_AS(eff({1, 3}, 1, 2), xddp::value_error);  // alpha1 must be larger than alpha2
        CHECK_THROWS_AS(eff({1, 3}, 1, 1), xddp::value_error);
        CHECK_THROWS_AS(xddp::layer_efficiency(xddp::count_histogram::from_counts(counts{1}), 0), xddp::value_error);
        // An empty counter has efficiency 0 too.
        xddp::state_counter<> empty(8);
        CHECK(empty.efficiency() == 0.0);
        CHECK(empty.entropy() == 0.0);
        CHECK(empty.distinct() == 0);
    }

    SUBCASE("network efficiency") {
        const auto& e = golden["network_efficiency"];
        CHECK(e["[]"]["value"].is_null());  // TensorState returns None; xddp refuses
        CHECK_THROWS_AS(xddp::network_efficiency(std::span<const double>{}), xddp::value_error);
        CHECK(close(xddp::network_efficiency({0.5}), value(e["[0.5]"])));
        CHECK(close(xddp::network_efficiency({0.5, 0.25}), value(e["[0.5,0.25]"])));
        const double dead = xddp::network_efficiency({0.0, 0.5});
        CHECK(dead == value(e["[0.0,0.5] (one dead layer)"]));
        CHECK(std::signbit(dead) == signbit(e["[0.0,0.5] (one dead layer)"]));
        const double negative_zero = xddp::network_efficiency({-0.0, 0.5});
        CHECK(negative_zero == value(e["[-0.0,0.5]"]));
        CHECK(std::signbit(negative_zero) == signbit(e["[-0.0,0.5]"]));
        CHECK(xddp::network_efficiency({1.0, 1.0}) == value(e["[1.0,1.0]"]));
        CHECK_THROWS_AS(xddp::network_efficiency({-0.5, 0.5}), xddp::value_error);
        CHECK_THROWS_AS(xddp::network_efficiency({std::nan(""), 0.5}), xddp::value_error);
    }

    SUBCASE("aIQ") {
        const auto& e = golden["aIQ"];
        CHECK(close(xddp::aiq(0.5, 0.9, 2), value(e["eff=0.5 acc=0.9 beta=2"])));
        CHECK(close(xddp::aiq(0.5, 0.9, 1), value(e["eff=0.5 acc=0.9 beta=1"])));
        CHECK(xddp::aiq(0.0, 1.0, 2) == value(e["eff=0 acc=1 beta=2"]));
        CHECK(close(xddp::aiq(0.5, 0.9, true), value(e["eff=0.5 acc=0.9 beta=True (bool is int)"])));
        CHECK(e["eff=0.5 acc=0.9 beta=0"]["raises"] == "ValueError");
        CHECK_THROWS_AS(xddp::aiq(0.5, 0.9, 0), xddp::value_error);
        CHECK_THROWS_AS(xddp::aiq(0.5, 0.9, -1), xddp::value_error);
        CHECK_THROWS_AS(xddp::aiq(0.5, 1.5, 2), xddp::value_error);
        CHECK_THROWS_AS(xddp::aiq(std::nan(""), 0.9, 2), xddp::value_error);
    }

    SUBCASE("aIQ stays finite and exact at large beta (computed in logs)") {
        // (0.5 * 0.9^1000)^(1/1001): 0.9^1000 = 1.7e-46 is fine, but 0.1^1000 underflows to 0 in pow.
        CHECK(xddp::aiq(0.5, 0.1, 1000) == doctest::Approx(std::exp((std::log(0.5) + 1000 * std::log(0.1)) / 1001)));
        CHECK(xddp::aiq(0.5, 0.1, 1000) > 0.09);
        const double at_max = xddp::aiq(0.5, 0.9, std::numeric_limits<int>::max());  // beta + 1 overflowed an int
        CHECK(std::isfinite(at_max));
        CHECK(at_max == doctest::Approx(0.9).epsilon(1e-6));
        CHECK(xddp::aiq(0.5, 0.0, 1000) == 0.0);
    }
}

TEST_CASE("state_counter: bad inputs") {
    xddp::state_counter<> counter;
    std::vector<float> a(2 * 20 * 4, 1.0f), b(2 * 21 * 4, 1.0f);
    counter.add(xddp::tensor_ref(a.data(), {2, 20, 2, 2}));
    // A changed C between batches is an error, not silently mixed states.
    CHECK_THROWS_AS(counter.add(xddp::tensor_ref(b.data(), {2, 21, 2, 2})), xddp::shape_error);
    CHECK(counter.state_count() == 8);
    CHECK_THROWS_AS(counter.add(xddp::tensor_ref(a.data(), {160})), xddp::shape_error);  // no neuron axis
    xddp::state_counter<> fixed(21);
    CHECK_THROWS_AS(fixed.add(xddp::tensor_ref(a.data(), {2, 20, 2, 2})), xddp::shape_error);
    CHECK_THROWS_AS(xddp::state_counter<>(0), xddp::shape_error);
    // Packed bytes with padding bits set, or not a whole number of rows.
    const std::uint8_t bad[] = {0x00, 0x80};
    CHECK_THROWS_AS(xddp::state_counter<>().add_packed(bad, 7), xddp::value_error);
    CHECK_THROWS_AS(xddp::state_counter<>().add_packed(bad, 9), xddp::value_error);
    const std::uint8_t three[] = {1, 2, 3};
    CHECK_THROWS_AS(xddp::state_counter<>().add_packed(three, 9), xddp::shape_error);
    // The kept states are there only when asked for.
    CHECK_THROWS_AS(counter.packed_states(), xddp::value_error);
    CHECK_THROWS_AS(counter.input_counts(0), xddp::value_error);
    CHECK_THROWS_AS(counter.keep_states(true), xddp::value_error);
    // reset() forgets the states and the width.
    counter.reset();
    CHECK(counter.state_count() == 0);
    CHECK(counter.distinct() == 0);
    counter.add(xddp::tensor_ref(b.data(), {2, 21, 2, 2}));
    CHECK(counter.neurons() == 21);
    CHECK(counter.distinct() == 1);
}

TEST_CASE("per-input counts from the kept states") {
    const fs::path base = golden_dir() / "lenet5/states_conv_before/conv_2_pre_states";
    const auto x = xddp::io::load_npy<float>(base.string() + "__activation.npy");
    const auto packed = xddp::io::load_npy<std::uint8_t>(base.string() + "__packed_states.npy");
    xddp::state_counter<xddp::compact_hash> counter;
    counter.keep_states(true);
    add_in_batches(counter, x, 100);
    const std::size_t per = counter.states_per_input(), bytes = packed.shape()[1];
    CHECK(per == 144);
    REQUIRE(bytes <= 8);
    // A state of at most 8 bytes read as a little-endian integer: TensorState's order is ascending order.
    const auto as_integer = [bytes](const std::uint8_t* p) {
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < bytes; ++k) v |= std::uint64_t{p[k]} << (8 * k);
        return v;
    };
    std::uint64_t total = 0;
    for (std::size_t input : {0u, 1u, 99u, 100u, 255u}) {
        CAPTURE(input);
        std::map<std::uint64_t, std::uint64_t> expected;
        for (std::size_t r = input * per; r < (input + 1) * per; ++r) ++expected[as_integer(packed.data() + r * bytes)];
        const xddp::state_counts got = counter.input_counts(input);
        REQUIRE(got.counts.size() == expected.size());
        std::size_t i = 0;
        for (const auto& [state, count] : expected) {  // ascending, as input_counts lists them
            CHECK(as_integer(got.states.data() + i * bytes) == state);
            CHECK(got.counts[i] == count);
            total += got.counts[i];
            ++i;
        }
    }
    CHECK(total == 5 * per);
    CHECK_THROWS_AS(counter.input_counts(256), xddp::value_error);
}

// A policy of the user's own: same keys as exact_hash, another hash function.
struct xor_fold_hash {
    static constexpr std::string_view name = "xor_fold";
    static constexpr bool exact = true;
    static std::uint64_t hash(const std::uint64_t* words, std::size_t n) noexcept {
        std::uint64_t h = 0x9e3779b97f4a7c15ull;
        for (std::size_t i = 0; i < n; ++i) h = (h ^ words[i]) * 0xff51afd7ed558ccdull;
        return h ^ (h >> 29);
    }
    using table = xddp::detail::states::exact_table<xor_fold_hash>;
};
static_assert(xddp::state_hash<xor_fold_hash>);

TEST_CASE("a user-defined state_hash policy plugs in") {
    const fs::path base = golden_dir() / "lenet5/states_conv_after/conv_2_post_states";
    const auto x = xddp::io::load_npy<float>(base.string() + "__activation.npy");
    xddp::state_counter<xor_fold_hash> counter;
    counter.add(x);
    CHECK(counter.counts() == as_counts(xddp::io::load_npy<std::int64_t>(base.string() + "__counts.npy")));
}
