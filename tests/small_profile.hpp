#pragma once
// A small two-layer profile (an input and a conv layer with synapses), for the profile JSON tests and the
// fuzz seeds (fuzz/make_bytes_seeds.cpp).

#include <xddp/profile/profile.hpp>

// input (3, 4, 4) channel counts {0: 1, 2: 2}; conv (2, 4, 4) neurons {0 (w .75), 1 (w .25)};
// synapses (0,0) .5, (0,2) .5, (1,2) 1.
inline xddp::profile small_profile() {
    xddp::profile p;
    p.threshold = 0.1;
    p.num_inputs = 1;
    xddp::layer_profile in;
    in.name = "input";
    in.kind = "input";
    in.shape = {3, 4, 4};
    in.neurons = {3, {0, 2}, {1, 2}, {}};
    xddp::layer_profile conv;
    conv.index = 1;
    conv.name = "features.0";
    conv.kind = "conv2d";
    conv.shape = {2, 4, 4};
    conv.predecessors = {0};
    conv.profiled = true;
    conv.neurons = {2, {0, 1}, {1, 1}, {0.75, 0.25}};
    conv.synapses.push_back({0, {0, 0, 1}, {0, 2, 2}, {1, 1, 1}, {0.5, 0.5, 1.0}});
    p.layers = {in, conv};
    return p;
}
