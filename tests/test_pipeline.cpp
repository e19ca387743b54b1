// The pipeline hands each forward pass to its stages; results do not depend on the batch size.

#include <doctest/doctest.h>

#include <vector>

#include <xddp/pipeline/pipeline.hpp>
#include <xddp/xddp.hpp>

#include "reference_layers.hpp"

namespace {

// Records every input's logits at its input index, and the calls it received.
struct logits_stage {
    static constexpr xddp::keep needs = xddp::keep::output;
    std::vector<std::vector<float>> logits;
    int starts = 0, batches = 0, finishes = 0;
    void start(const xddp::graph&, std::size_t total) {
        ++starts;
        logits.assign(total, {});
    }
    void consume(const xddp::activations& acts, std::size_t first) {
        ++batches;
        const auto& y = acts.output();
        const std::size_t n = y.shape()[0], k = y.size() / n;
        for (std::size_t b = 0; b < n; ++b) logits.at(first + b).assign(y.data() + b * k, y.data() + (b + 1) * k);
    }
    void finish() { ++finishes; }
};

// Reads an inner activation, so the pipeline must keep them all.
struct inner_stage {
    static constexpr xddp::keep needs = xddp::keep::all;
    std::size_t seen = 0;
    void start(const xddp::graph&, std::size_t) {}
    void consume(const xddp::activations& acts, std::size_t) { seen += acts[1].shape()[0]; }
    void finish() {}
};

static_assert(xddp::stage<logits_stage>);
static_assert(!xddp::stage<int>);

}  // namespace

TEST_CASE("pipeline: every input reaches every stage once, whatever the batch size") {
    auto g = xddp::zoo::tiny_vgg();
    xddp::seed_weights(g, 3);
    std::mt19937 rng(1);
    const auto x = reference::random_array({7, 3, 32, 32}, rng);
    const auto expected = g(x);
    for (std::size_t batch : {1u, 3u, 7u, 50u}) {
        xddp::pipeline p(g, logits_stage{}, inner_stage{});
        std::vector<std::size_t> progress;
        p.run(x, {.batch_size = batch, .progress = [&](std::size_t done, std::size_t) { progress.push_back(done); }});
        const auto& s = p.stage<0>();
        CHECK(s.starts == 1);
        CHECK(s.finishes == 1);
        CHECK(s.batches == int((7 + batch - 1) / batch));
        CHECK(progress.back() == 7);
        CHECK(p.stage<1>().seen == 7);
        for (std::size_t i = 0; i < 7; ++i)
            for (std::size_t k = 0; k < 10; ++k) CHECK(s.logits[i][k] == doctest::Approx(expected(i, k)).epsilon(1e-5));
    }
    xddp::pipeline p(g, logits_stage{});
    CHECK_THROWS_AS(p.run(x, {.batch_size = 0}), xddp::value_error);
}
