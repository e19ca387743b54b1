#pragma once
// Golden DeepDataProfiler cases and the comparison of shared/tools/check_profile.py as doctest checks:
// identical layers, neuron and synapse index sets and counts, weights within |c - g| <= 1e-7 + 1e-5 |g|.

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "shared_dir.hpp"
#include "xddp/model/weights.hpp"
#include "xddp/model/zoo.hpp"
#include "xddp/profile/profile.hpp"

namespace golden {

inline std::filesystem::path case_dir(const std::string& name) { return shared_dir() / "golden" / "ddp" / name; }

inline xddp::graph golden_model(const std::string& name) {
    xddp::graph g = name == "tiny_vgg" ? xddp::zoo::tiny_vgg() : xddp::zoo::tiny_resnet();
    xddp::load_weights(g, case_dir(name) / "weights");
    return g;
}

inline bool weight_close(double candidate, double golden) {
    return std::abs(candidate - golden) <= 1e-7 + 1e-5 * std::abs(golden);
}

// The checks of shared/tools/check_profile.py: identical layers, neuron and synapse index sets and counts,
// weights within tolerance; every mismatch is reported through doctest.
inline void compare_profiles(const xddp::profile& c, const xddp::profile& g, const std::string& what) {
    INFO(what);
    CHECK(c.neuron_type == g.neuron_type);
    CHECK(c.threshold == g.threshold);
    CHECK(c.num_inputs == g.num_inputs);
    REQUIRE(c.layers.size() == g.layers.size());
    for (std::size_t li = 0; li < g.layers.size(); ++li) {
        const auto& cl = c.layers[li];
        const auto& gl = g.layers[li];
        INFO("layer " << gl.index << " " << gl.name);
        CHECK(cl.index == gl.index);
        CHECK(cl.name == gl.name);
        CHECK(cl.kind == gl.kind);
        CHECK(cl.shape == gl.shape);
        CHECK(cl.predecessors == gl.predecessors);
        CHECK(cl.profiled == gl.profiled);
        CHECK(cl.neurons.size == gl.neurons.size);
        CHECK(cl.neurons.index == gl.neurons.index);
        CHECK(cl.neurons.count == gl.neurons.count);
        if (cl.neurons.index == gl.neurons.index) {
            CHECK(cl.neurons.weight.size() == gl.neurons.weight.size());
            for (std::size_t k = 0; k < gl.neurons.weight.size() && k < cl.neurons.weight.size(); ++k) {
                INFO("neuron " << gl.neurons.index[k]);
                CHECK(weight_close(cl.neurons.weight[k], gl.neurons.weight[k]));
            }
        }
        REQUIRE(cl.synapses.size() == gl.synapses.size());
        for (std::size_t s = 0; s < gl.synapses.size(); ++s) {
            const auto& cs = cl.synapses[s];
            const auto& gs = gl.synapses[s];
            INFO("synapses from " << gs.from);
            CHECK(cs.from == gs.from);
            CHECK(cs.out == gs.out);
            CHECK(cs.in == gs.in);
            CHECK(cs.count == gs.count);
            if (cs.out == gs.out && cs.in == gs.in)
                for (std::size_t k = 0; k < gs.size(); ++k) {
                    INFO("synapse (" << gs.out[k] << ", " << gs.in[k] << ")");
                    CHECK(weight_close(cs.weight[k], gs.weight[k]));
                }
        }
    }
}

}  // namespace golden
