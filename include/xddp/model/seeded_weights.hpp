#pragma once
// Deterministic weights for models without a weights folder (metrics, benchmarks, demos): PyTorch's
// default fan-in uniform bound 1/sqrt(fan_in) for weights and biases, BatchNorm as the identity.
// The generator is splitmix64, so the same seed gives the same weights on every platform.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "xddp/model/graph.hpp"

namespace xddp {

class splitmix64 {
public:
    explicit splitmix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [-bound, bound).
    float uniform(float bound) { return bound * (2.0f * static_cast<float>(next() >> 40) / 16777216.0f - 1.0f); }

private:
    std::uint64_t state_;
};

inline void seed_weights(graph& g, std::uint64_t seed = 0) {
    splitmix64 rng(seed);
    for (node_id id = 1; id < g.size(); ++id) {
        auto params = g.at(id).layer->parameters();
        const auto first = std::find_if(params.begin(), params.end(), [](const parameter& p) { return p.seeded; });
        if (first == params.end()) continue;  // e.g. batch norm keeps its identity defaults
        // PyTorch's bound for conv and linear: 1 / sqrt(fan_in), fan_in = the weight's elements per output.
        const shape_t& w = first->shape;
        const std::size_t fan_in = element_count(w) / w[0];
        const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
        for (auto& p : params)
            if (p.seeded)
                for (std::size_t i = 0, size = element_count(p.shape); i < size; ++i) p.data[i] = rng.uniform(bound);
    }
}

}  // namespace xddp
