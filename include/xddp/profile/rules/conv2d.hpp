#pragma once
// Contribution rule of conv2d (specs/ddp.md section 4), for any stride, padding (asymmetric too), dilation,
// non-square kernel and groups: output channel o of group g only sees input channels g*cg .. g*cg+cg-1,
// cg = C_in / groups, and those are its only candidates.
//  - channel_neurons: score[c] = max(0, spatial max of x[c] convolved with W[o, c] without bias);
//    SELECT(score, thr, cg); synapse (o, c).
//  - element_neurons: the products W[o] * window of (o, i, j), signed, c-major; the signed selection
//    variant; contributors in the padding are dropped.
// No bias anywhere. The channel rule is the hot spot of a VGG channel profile: for each input channel the
// zero-padded plane is built once; each output row is then convolved for four influential output channels
// at a time, accumulating in SIMD registers over the kernel taps (a strided conv first gathers the row's
// taps into a small patch), keeping only running maxima. The work is (influential channels) x C_in/groups x
// Ho x Wo x kH x kW multiply-adds, the memory one padded plane and one patch.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp::detail::rules {

// For OB output-channel lanes with kernels wts[b*taps .. b*taps+taps) and the taps input rows of one output
// row (rows[rq][j] is the input under kernel tap rq at output column j, readable up to the next multiple of
// simd_floats past wo): lanes top[b*simd_floats ..] = lane-wise max with sum_rq wts[b][rq] * rows[rq][j0 ..]
// over the row's SIMD steps j0.
template <std::size_t OB>
inline void row_block_maxima(const float* const* rows, std::size_t taps, std::size_t wo, const float* wts,
                             float* top_lanes) {
    simd_float top[OB];
    std::memcpy(top, top_lanes, sizeof top);
    for (std::size_t j0 = 0; j0 < wo; j0 += simd_floats) {
        simd_float acc[OB] = {};
        for (std::size_t rq = 0; rq < taps; ++rq) {
            simd_float src;
            std::memcpy(&src, rows[rq] + j0, sizeof src);
            for (std::size_t b = 0; b < OB; ++b) acc[b] += wts[b * taps + rq] * src;
        }
        if (j0 + simd_floats > wo) {  // lanes past the row hold other columns' sums: 0 is neutral (scores clamp at 0)
            float mask[simd_floats] = {};
            for (std::size_t t = 0; t < wo - j0; ++t) mask[t] = 1.0f;
            simd_float keep;
            std::memcpy(&keep, mask, sizeof keep);
            for (std::size_t b = 0; b < OB; ++b) acc[b] *= keep;
        }
        for (std::size_t b = 0; b < OB; ++b) top[b] = simd_max(top[b], acc[b]);
    }
    std::memcpy(top_lanes, top, sizeof top);
}

// maxima[k*cg + c] = max(0, max over output positions of (x[g*cg + c] conv W[outs[k], c])), with g the
// group of outs[k]; outs ascending (so the output channels of one group are consecutive).
inline void partial_conv_maxima(const conv2d& layer, const float* x, std::size_t h, std::size_t w, std::size_t ho,
                                std::size_t wo, std::span<const std::size_t> outs, float* maxima, rule_scratch& s) {
    constexpr std::size_t OB = 4, JB = simd_floats;  // output channels per block, floats per SIMD step
    const conv2d_options& opt = layer.options();
    const window2d& win = layer.window();
    const std::size_t cg = opt.in_channels / opt.groups, og = opt.out_channels / opt.groups;
    const std::size_t kh = win.kernel[0], kw = win.kernel[1], taps = kh * kw;
    const std::size_t sh = win.stride[0], sw = win.stride[1], dh = win.dilation[0], dw = win.dilation[1];
    const std::size_t pt = win.pad_begin[0], pl = win.pad_begin[1];
    const std::size_t hp = h + pt + win.pad_end[0];
    const std::size_t wo_pad = (wo + JB - 1) / JB * JB;
    // Rows wide enough that a stride-1 block read past the last output column stays in the buffer.
    const std::size_t wp = std::max(w + pl + win.pad_end[1], wo_pad + (kw - 1) * dw);
    std::vector<float>& plane = s.buffer;
    plane.assign(hp * wp, 0.0f);  // the borders stay zero; the interior is rewritten per channel
    std::vector<float>& patch = s.patch;
    if (sw != 1) patch.assign(taps * wo_pad, 0.0f);
    std::vector<const float*> rows(taps);
    const float* weight = layer.weight().data();

    std::vector<float> wts;
    std::vector<float> top;  // simd_floats running maxima per output channel
    for (std::size_t begin = 0; begin < outs.size();) {
        const std::size_t g = outs[begin] / og;
        std::size_t end = begin;
        while (end < outs.size() && outs[end] / og == g) ++end;
        const std::size_t n = end - begin, lanes = (n + OB - 1) / OB * OB;
        wts.assign(lanes * taps, 0.0f);
        top.resize(lanes * simd_floats);
        for (std::size_t cl = 0; cl < cg; ++cl) {
            const float* src = x + (g * cg + cl) * h * w;
            for (std::size_t r = 0; r < h; ++r)
                std::memcpy(plane.data() + (r + pt) * wp + pl, src + r * w, w * sizeof(float));
            for (std::size_t k = 0; k < n; ++k)
                std::memcpy(wts.data() + k * taps, weight + (outs[begin + k] * cg + cl) * taps, taps * sizeof(float));
            std::fill(top.begin(), top.end(), 0.0f);
            for (std::size_t i = 0; i < ho; ++i) {
                for (std::size_t r = 0; r < kh; ++r) {
                    const float* prow = plane.data() + (i * sh + r * dh) * wp;
                    for (std::size_t q = 0; q < kw; ++q) {
                        if (sw == 1) {
                            rows[r * kw + q] = prow + q * dw;
                        } else {
                            float* dst = patch.data() + (r * kw + q) * wo_pad;
                            const float* from = prow + q * dw;
                            for (std::size_t j = 0; j < wo; ++j) dst[j] = from[j * sw];
                            rows[r * kw + q] = dst;
                        }
                    }
                }
                for (std::size_t b = 0; b < lanes; b += OB)
                    row_block_maxima<OB>(rows.data(), taps, wo, wts.data() + b * taps, top.data() + b * simd_floats);
            }
            for (std::size_t k = 0; k < n; ++k) {
                float m = 0.0f;
                for (std::size_t t = 0; t < simd_floats; ++t) m = std::max(m, top[k * simd_floats + t]);
                maxima[(begin + k) * cg + cl] = m;
            }
        }
        begin = end;
    }
}

inline void check_conv_shapes(const conv2d& layer, const shape_t& in, const shape_t& out) {
    const conv2d_options& opt = layer.options();
    if (in.size() != 3 || in[0] != opt.in_channels || out.size() != 3 || out[0] != opt.out_channels ||
        out[1] != layer.window().output(in[1], 0) || out[2] != layer.window().output(in[2], 1))
        throw shape_error("conv2d contributions: input " + to_string(in) + " and output " + to_string(out) +
                          " do not fit the layer (" + std::to_string(opt.in_channels) + " -> " +
                          std::to_string(opt.out_channels) + " channels)");
}

}  // namespace xddp::detail::rules

namespace xddp {
// Synapses of the influential neurons (flat indices under P, ascending) of a conv2d layer whose input is x
// (one sample, (C_in, H, W)) and whose output has shape out_shape (C_out, Ho, Wo).
template <>
struct contribution_rule<conv2d> {
    template <neuron_policy P>
    static void apply(const conv2d& layer, const contribution_step& step) {
        const tensor_ref& x = step.inputs[0];
        const shape_t& out_shape = step.head.shape();
        const std::span<const std::size_t> neurons = step.neurons;
        const double threshold = step.threshold;
        synapse_list& out = step.synapses[0];
        rule_scratch& s = step.scratch;
        detail::rules::check_conv_shapes(layer, x.shape(), out_shape);
        const conv2d_options& opt = layer.options();
        const window2d& win = layer.window();
        const std::size_t h = x.shape()[1], w = x.shape()[2], ho = out_shape[1], wo = out_shape[2];
        const std::size_t cg = opt.in_channels / opt.groups, og = opt.out_channels / opt.groups;
        if constexpr (std::same_as<P, channel_neurons>) {
            std::vector<float>& maxima = s.values;
            maxima.assign(neurons.size() * cg, 0.0f);
            detail::rules::partial_conv_maxima(layer, x.data(), h, w, ho, wo, neurons, maxima.data(), s);
            for (std::size_t k = 0; k < neurons.size(); ++k) {
                const std::size_t o = neurons[k], c0 = o / og * cg;
                cumulative_select(std::span<const float>(maxima.data() + k * cg, cg), threshold, s.picked, s.select);
                for (const selected& sel : s.picked) out.push_back({o, c0 + sel.position, sel.weight});
            }
        } else {
            const std::size_t kh = win.kernel[0], kw = win.kernel[1], taps = kh * kw;
            const kernels::window geo = taps_of(win);
            const std::size_t hw_out = ho * wo, candidates = cg * taps;
            constexpr std::size_t padding = static_cast<std::size_t>(-1);
            std::vector<float>& z = s.values;
            std::vector<std::size_t>& where = s.positions;
            z.resize(candidates);
            where.resize(candidates);
            const float* weight = layer.weight().data();
            for (const std::size_t n : neurons) {
                const std::size_t o = n / hw_out, i = n % hw_out / wo, j = n % wo, c0 = o / og * cg;
                const float* wrow = weight + o * candidates;
                for (std::size_t cl = 0; cl < cg; ++cl) {
                    const float* plane = x.data() + (c0 + cl) * h * w;
                    for (std::size_t r = 0; r < kh; ++r) {
                        const long long ii = kernels::tap(i, r, geo.sh, geo.dh, geo.ph);
                        for (std::size_t q = 0; q < kw; ++q) {
                            const long long jj = kernels::tap(j, q, geo.sw, geo.dw, geo.pw);
                            const std::size_t idx = (cl * kh + r) * kw + q;
                            if (kernels::inside(ii, h) && kernels::inside(jj, w)) {
                                const std::size_t flat = static_cast<std::size_t>(ii) * w + static_cast<std::size_t>(jj);
                                z[idx] = wrow[idx] * plane[flat];
                                where[idx] = (c0 + cl) * h * w + flat;
                            } else {
                                z[idx] = wrow[idx] * 0.0f;  // DDP multiplies the zero padding too
                                where[idx] = padding;
                            }
                        }
                    }
                }
                cumulative_select_signed(z, threshold, s.picked, s.select);
                for (const selected& sel : s.picked)
                    if (where[sel.position] != padding) out.push_back({n, where[sel.position], sel.weight});
            }
        }
    }
};

}  // namespace xddp
