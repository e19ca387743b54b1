#pragma once
// Pattern statistics as a pipeline stage: the moments of every conv2d and linear layer, in double, over
// every input the pipeline feeds (any number of batches). The stage reads only the input batch and runs
// the model again in double (patterns/network.hpp says why), samples in parallel, and adds their rows to
// the sums in input order: the sums are the same to the last bit whatever the batch size. Nor does the
// thread count change a bit: threads split the sums' rows, never a sum (patterns/products.hpp).
//
//   xddp::pipeline p(g, xddp::pattern_statistics_stage{});
//   p.run(images, {.batch_size = 32});
//   auto analysis = xddp::analyse_patterns(p.stage<0>().statistics(), xddp::pattern_kind::relu);
//
// Without other stages, collect_pattern_statistics(g, images) does the same and skips the float pass.

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/parallel_for.hpp"
#include "xddp/core/tensor_ref.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/patterns/estimate.hpp"
#include "xddp/patterns/moments.hpp"
#include "xddp/patterns/network.hpp"
#include "xddp/pipeline/stage.hpp"

namespace xddp {

// The moments of every kernel layer of a model, and the model as the analysis sees it.
struct pattern_statistics {
    std::optional<pattern_network> network;
    std::vector<layer_moments> moments;  // one per network->kernel_layers()
    std::size_t num_inputs = 0;

    std::span<const kernel_layer> layers() const {
        if (!network) throw value_error("pattern statistics: nothing accumulated yet");
        return network->kernel_layers();
    }
};

// Starts empty statistics for model g.
inline pattern_statistics make_pattern_statistics(const graph& g) {
    pattern_statistics s;
    s.network.emplace(g);
    for (const kernel_layer& k : s.network->kernel_layers()) s.moments.emplace_back(k.inputs(), k.bias);
    return s;
}

// Adds a batch x, (N, ...) or one sample, to the statistics. Samples run through the network in parallel,
// 16 at a time; their rows then enter every layer's sums in input order.
inline void add_inputs(pattern_statistics& s, const tensor_ref& x) {
    const std::size_t per_sample = s.network->input_size();
    const std::size_t n = x.dimension() == s.network->input_shape().size() ? 1 : (x.dimension() ? x.shape()[0] : 0);
    if (x.size() != n * per_sample || n == 0)
        throw shape_error("pattern statistics: input of shape " + to_string(x.shape()) + " does not fit, expected (N, " +
                          to_string(s.network->input_shape()).substr(1));
    const std::size_t layers = s.moments.size(), chunk = 16;
    struct sample_rows {
        std::vector<std::vector<double>> x, y;
        std::vector<std::size_t> rows;
    };
    std::vector<sample_rows> kept(std::min(n, chunk));
    for (std::size_t first = 0; first < n; first += chunk) {
        const std::size_t count = std::min(chunk, n - first);
        parallel_for(0, count, [&](std::size_t b) {
            sample_rows& r = kept[b];
            r.x.resize(layers), r.y.resize(layers), r.rows.resize(layers);
            const auto layer = s.network->kernel_layers();
            try {
                s.network->forward(std::span<const float>(x.data() + (first + b) * per_sample, per_sample),
                                   [&](std::size_t k, const double* xr, const double* yr, std::size_t rows) {
                                       r.x[k].assign(xr, xr + rows * layer[k].inputs());
                                       r.y[k].assign(yr, yr + rows * layer[k].outputs());
                                       r.rows[k] = rows;
                                   });
            } catch (const value_error& e) {
                throw value_error("input " + std::to_string(first + b) + ": " + e.what());
            }
        });
        std::vector<layer_moments::rows_view> pieces(count);
        for (std::size_t k = 0; k < layers; ++k) {
            for (std::size_t b = 0; b < count; ++b) pieces[b] = {kept[b].x[k].data(), kept[b].y[k].data(), kept[b].rows[k]};
            s.moments[k].add(pieces);
        }
        s.num_inputs += count;
    }
}

class pattern_statistics_stage {
public:
    // The stage reads the input batch, which the graph keeps only when every activation is kept.
    static constexpr keep needs = keep::all;

    void start(const graph& g, std::size_t /*total*/) { stats_ = make_pattern_statistics(g); }
    void consume(const activations& acts, std::size_t /*first*/) { add_inputs(stats_, tensor_ref(acts[0])); }
    void finish() {}

    const pattern_statistics& statistics() const noexcept { return stats_; }
    pattern_statistics& statistics() noexcept { return stats_; }

private:
    pattern_statistics stats_;
};

// The statistics of model g over images (N, ...), fed batch_size at a time (which changes nothing but the
// progress calls), without the pipeline's float forward pass.
inline pattern_statistics collect_pattern_statistics(
    const graph& g, const tensor_ref& images, std::size_t batch_size = 32,
    const std::function<void(std::size_t, std::size_t)>& progress = {}) {
    if (batch_size == 0) throw value_error("collect_pattern_statistics: batch_size must be positive");
    pattern_statistics s = make_pattern_statistics(g);
    const shape_t& sample = s.network->input_shape();
    const bool single = images.dimension() == sample.size();
    const std::size_t n = single ? 1 : (images.dimension() ? images.shape()[0] : 0);
    if (n == 0 || images.size() != n * element_count(sample))
        throw shape_error("collect_pattern_statistics: images of shape " + to_string(images.shape()) +
                          " do not fit, expected (N, " + to_string(sample).substr(1));
    for (std::size_t first = 0; first < n; first += batch_size) {
        const std::size_t count = std::min(batch_size, n - first);
        shape_t shape = sample;
        shape.insert(shape.begin(), count);
        add_inputs(s, tensor_ref(images.data() + first * element_count(sample), std::move(shape)));
        if (progress) progress(first + count, n);
    }
    return s;
}

// The pattern of every kernel layer, in kernel-layer order.
inline std::vector<layer_pattern> estimate_patterns(const pattern_statistics& s, pattern_kind kind) {
    std::vector<layer_pattern> out;
    const auto layers = s.layers();
    for (std::size_t k = 0; k < layers.size(); ++k)
        out.push_back(estimate_pattern(s.moments[k], kind, layers[k].weight, layers[k].name));
    return out;
}

}  // namespace xddp
