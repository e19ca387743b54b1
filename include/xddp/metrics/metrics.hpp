#pragma once
// Model metrics (deeplite-profiler, specs/metrics.md): per-layer costs summed over a graph, peak memory,
// latency, an evaluation metric, a registry of profiler functions, and terminal reports. The JSON writer
// is in xddp/metrics/json.hpp (needs nlohmann_json).

#include "xddp/metrics/evaluation.hpp"
#include "xddp/metrics/kernel_check.hpp"
#include "xddp/metrics/latency.hpp"
#include "xddp/metrics/model_cost.hpp"
#include "xddp/metrics/profiler.hpp"
#include "xddp/metrics/report.hpp"
