#pragma once
// The stage concept: what a pipeline hands every forward pass to. Contribution profiles are the first
// stage; state capture, pattern statistics and metrics plug in the same way.
//
//   needs              keep::all if the stage reads inner activations, keep::output for logits only
//   start(g, total)    once, before the first batch; total = number of inputs the run will feed
//   consume(acts, first)  once per forward pass: acts holds a batch of inputs first, first+1, ...;
//                      a stage may use xddp::parallel_for inside, and must give the same result
//                      whatever the thread count
//   finish()           once, after the last batch

#include <concepts>
#include <cstddef>

#include "xddp/model/graph.hpp"

namespace xddp {

template <class S>
concept stage = requires(S& s, const graph& g, const activations& acts, std::size_t n) {
    { S::needs } -> std::convertible_to<keep>;
    { s.start(g, n) };
    { s.consume(acts, n) };
    { s.finish() };
};

}  // namespace xddp
