#pragma once
// PatternNet / PatternAttribution and the SVD analysis of "When Explanations Lie" (specs/patterns.md).
// The JSON writer is patterns/json.hpp.

#include "xddp/patterns/analysis.hpp"
#include "xddp/patterns/attribution.hpp"
#include "xddp/patterns/estimate.hpp"
#include "xddp/patterns/kind.hpp"
#include "xddp/patterns/layout.hpp"
#include "xddp/patterns/moments.hpp"
#include "xddp/patterns/network.hpp"
#include "xddp/patterns/plot.hpp"
#include "xddp/patterns/statistics.hpp"
#include "xddp/patterns/svd_analysis.hpp"
