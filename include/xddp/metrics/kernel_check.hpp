#pragma once
// Kernel checking for people who write their own kernels: any type that satisfies the layer concept is run
// beside a reference layer (usually the built-in one) on the same seeded inputs and parameters, its outputs
// compared element-wise within a tolerance, and both are timed with the latency machinery of latency.hpp.
//
//   my_conv mine(opts);  xddp::conv2d ref(opts);
//   const shape_t in{1, 64, 56, 56};
//   auto c = xddp::metrics::compare_kernels(mine, ref, std::span(&in, 1));
//   c.check.require_match();            // throws value_error naming the worst element
//   std::cout << c.speedup() << "\n";   // reference median / candidate median
//
// Parameters: the reference's parameters are seeded (options.seed_parameters), then copied into the
// candidate's parameters of the same name and shape, so both compute with identical weights.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/layer.hpp"
#include "xddp/metrics/latency.hpp"
#include "xddp/model/seeded_weights.hpp"

namespace xddp::metrics {

struct kernel_check_options {
    double rtol = 1e-4;  // an element matches when |candidate - reference| <= atol + rtol * |reference|
    double atol = 1e-5;
    std::uint64_t seed = 1;       // inputs uniform in [-1, 1) from splitmix64(seed)
    bool seed_parameters = true;  // fill the reference's parameters first (else use them as they are)
    bool copy_parameters = true;  // then copy them into the candidate, by name
    latency_options timing{};     // warm-up and repeats; the input shapes carry the batch
};

// The element-wise comparison of one candidate output with the reference output.
struct kernel_check {
    std::string layer;     // the reference's kind, e.g. "conv2d"
    shape_t output_shape;  // of both outputs
    double rtol = 0, atol = 0;
    std::size_t mismatches = 0;  // elements outside the tolerance (NaN against a number counts)
    double max_abs_error = 0;    // over all elements
    double max_rel_error = 0;    // |c - r| / |r| over elements with r != 0
    std::size_t worst = 0;       // flat index of the element furthest outside (or nearest to) the tolerance
    float worst_candidate = 0, worst_reference = 0;

    bool matches() const noexcept { return mismatches == 0; }

    std::string describe() const {
        std::ostringstream s;
        s << layer << " output " << xddp::to_string(output_shape) << ": ";
        if (matches()) s << "all " << element_count(output_shape) << " elements";
        else s << mismatches << " of " << element_count(output_shape) << " elements outside";
        s << " rtol " << rtol << ", atol " << atol << " (max abs error " << max_abs_error << ", max rel error "
          << max_rel_error << "); worst at " << xddp::to_string(unravel(worst)) << ": candidate " << worst_candidate
          << ", reference " << worst_reference;
        return s.str();
    }

    void require_match() const {
        if (!matches()) throw value_error("kernel check failed: " + describe());
    }

private:
    shape_t unravel(std::size_t flat) const {
        shape_t index(output_shape.size());
        for (std::size_t d = output_shape.size(); d-- > 0;) {
            index[d] = output_shape[d] ? flat % output_shape[d] : 0;
            flat = output_shape[d] ? flat / output_shape[d] : 0;
        }
        return index;
    }
};

struct kernel_comparison {
    kernel_check check;
    latency_stats candidate, reference;
    // How many times faster the candidate is than the reference (median against median).
    double speedup() const noexcept { return candidate.median_ms > 0 ? reference.median_ms / candidate.median_ms : 0.0; }
};

namespace detail {

template <layer L>
void run_forward(const L& l, std::span<const activation> inputs, activation& y) {
    if constexpr (binary_layer<L>) l.forward(inputs[0], inputs[1], y);
    else l.forward(inputs[0], y);
}

// PyTorch-like magnitudes: uniform in +-1/sqrt(fan in) of the first matrix-shaped parameter; variances in [0.5, 1.5).
inline void fill_parameters(std::vector<parameter>& params, splitmix64& rng) {
    float bound = 1.0f;
    for (const parameter& p : params)
        if (p.shape.size() >= 2 && p.shape[0] > 0) {
            bound = 1.0f / std::sqrt(static_cast<float>(std::max<std::size_t>(1, element_count(p.shape) / p.shape[0])));
            break;
        }
    for (parameter& p : params) {
        const bool variance = p.name.find("var") != std::string::npos;
        for (std::size_t i = 0, n = element_count(p.shape); i < n; ++i)
            p.data[i] = variance ? 1.0f + rng.uniform(0.5f) : rng.uniform(bound);
    }
}

inline void copy_parameters(const std::vector<parameter>& from, std::vector<parameter> to, std::string_view layer) {
    for (const parameter& src : from) {
        auto dst = std::find_if(to.begin(), to.end(), [&](const parameter& p) { return p.name == src.name; });
        if (dst == to.end())
            throw value_error("kernel check (" + std::string(layer) + "): the candidate has no parameter '" + src.name +
                              "' of shape " + xddp::to_string(src.shape) + " that the reference has");
        if (dst->shape != src.shape)
            throw shape_error("kernel check (" + std::string(layer) + "): the candidate's parameter '" + src.name +
                              "' has shape " + xddp::to_string(dst->shape) + ", expected " + xddp::to_string(src.shape));
        std::copy_n(src.data, element_count(src.shape), dst->data);
        to.erase(dst);
    }
    if (!to.empty())
        throw value_error("kernel check (" + std::string(layer) + "): the candidate's parameter '" + to.front().name +
                          "' has no counterpart in the reference, so it would stay unset");
}

inline kernel_check compare_outputs(const activation& c, const activation& r, std::string_view layer,
                                    const kernel_check_options& o) {
    kernel_check k;
    k.layer = std::string(layer);
    k.output_shape = shape_t(r.shape().begin(), r.shape().end());
    k.rtol = o.rtol;
    k.atol = o.atol;
    const shape_t got(c.shape().begin(), c.shape().end());
    if (got != k.output_shape)
        throw shape_error("kernel check (" + k.layer + "): the candidate wrote an output of shape " + xddp::to_string(got) +
                          ", expected " + xddp::to_string(k.output_shape));
    double worst_score = -1;
    for (std::size_t i = 0; i < r.size(); ++i) {
        const double a = c.data()[i], b = r.data()[i];
        const bool both_nan = std::isnan(a) && std::isnan(b);
        const double diff = both_nan ? 0.0 : std::abs(a - b);
        const double allowed = o.atol + o.rtol * std::abs(b);
        const bool bad = !both_nan && !(diff <= allowed);  // NaN against a number fails here
        const double score = bad && std::isnan(diff) ? INFINITY : diff / allowed;
        if (bad) ++k.mismatches;
        if (!std::isnan(diff)) {
            k.max_abs_error = std::max(k.max_abs_error, diff);
            if (b != 0) k.max_rel_error = std::max(k.max_rel_error, diff / std::abs(b));
        }
        if (score > worst_score) {
            worst_score = score;
            k.worst = i;
        }
    }
    if (r.size()) {
        k.worst_candidate = c.data()[k.worst];
        k.worst_reference = r.data()[k.worst];
    }
    return k;
}

template <layer Candidate, layer Reference>
std::vector<activation> prepare(Candidate& candidate, Reference& reference, std::span<const shape_t> inputs,
                                const kernel_check_options& o) {
    static_assert(arity_v<Candidate> == arity_v<Reference>,
                  "kernel check: the candidate and the reference layer must take the same number of inputs");
    const std::string_view name = Reference::kind;
    if (inputs.size() != arity_v<Reference>)
        throw value_error("kernel check (" + std::string(name) + "): " + std::to_string(inputs.size()) +
                          " input shapes given, the layer takes " + std::to_string(arity_v<Reference>));
    const shape_t want = reference.output_shape(inputs);  // throws shape_error naming the layer
    const shape_t got = candidate.output_shape(inputs);
    if (got != want)
        throw shape_error("kernel check (" + std::string(name) + "): the candidate's output shape " + xddp::to_string(got) +
                          " for input " + xddp::to_string(inputs[0]) + " differs from the reference's " + xddp::to_string(want));
    if (o.seed_parameters) {
        splitmix64 rng(o.seed ^ 0x5eedULL);
        auto params = reference.parameters();
        fill_parameters(params, rng);
    }
    if (o.copy_parameters) copy_parameters(reference.parameters(), candidate.parameters(), name);
    splitmix64 rng(o.seed);
    std::vector<activation> xs;
    for (const shape_t& s : inputs) {
        activation& x = xs.emplace_back(s);
        for (float& v : x) v = rng.uniform(1.0f);
    }
    return xs;
}

template <layer Candidate, layer Reference>
kernel_check run_and_compare(const Candidate& candidate, const Reference& reference, std::span<const activation> xs,
                             const kernel_check_options& o) {
    activation yc, yr;
    run_forward(reference, xs, yr);
    run_forward(candidate, xs, yc);
    return compare_outputs(yc, yr, Reference::kind, o);
}

inline std::size_t batch_of(std::span<const shape_t> inputs) { return inputs[0].empty() ? 1 : std::max<std::size_t>(1, inputs[0][0]); }

}  // namespace detail

// Runs candidate and reference on the same seeded inputs (and parameters, see the options) and compares the outputs.
template <layer Candidate, layer Reference>
kernel_check check_kernel(Candidate& candidate, Reference& reference, std::span<const shape_t> inputs,
                          const kernel_check_options& o = {}) {
    const std::vector<activation> xs = detail::prepare(candidate, reference, inputs, o);
    return detail::run_and_compare(candidate, reference, xs, o);
}

// One layer's forward pass over the given inputs, timed like a model (per input of the batch).
template <layer L>
latency_stats time_layer(const L& l, std::span<const activation> inputs, const latency_options& o = {}) {
    if (inputs.size() != arity_v<L>)
        throw value_error("time_layer (" + std::string(L::kind) + "): " + std::to_string(inputs.size()) +
                          " inputs given, the layer takes " + std::to_string(arity_v<L>));
    std::vector<shape_t> shapes;
    for (const activation& x : inputs) shapes.emplace_back(x.shape().begin(), x.shape().end());
    activation y(l.output_shape(shapes));
    return time_repeated([&] { detail::run_forward(l, inputs, y); }, o, detail::batch_of(shapes));
}

// check_kernel, then both layers timed on the same inputs (the candidate first, then the reference).
template <layer Candidate, layer Reference>
kernel_comparison compare_kernels(Candidate& candidate, Reference& reference, std::span<const shape_t> inputs,
                                  const kernel_check_options& o = {}) {
    const std::vector<activation> xs = detail::prepare(candidate, reference, inputs, o);
    kernel_comparison c{detail::run_and_compare(candidate, reference, xs, o), {}, {}};
    c.candidate = time_layer(candidate, xs, o.timing);
    c.reference = time_layer(reference, xs, o.timing);
    return c;
}

}  // namespace xddp::metrics
