#pragma once
// State-space efficiency (TensorState): packing, hashing policies, counters, metrics, the capture stage,
// the accuracy stage and the report. The JSON writer is state/json.hpp (needs nlohmann_json).

#include "xddp/state/accuracy.hpp"
#include "xddp/state/capture.hpp"
#include "xddp/state/counter.hpp"
#include "xddp/state/efficiency.hpp"
#include "xddp/state/hash.hpp"
#include "xddp/state/pack.hpp"
#include "xddp/state/report.hpp"
