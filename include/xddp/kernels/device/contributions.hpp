#pragma once
// Step 2 of a contribution profile (specs/ddp.md section 4, profile/rules/* on the host) as kernel
// bodies: each writes the candidate values of one influential neuron into its own segment of `padded`
// entries (sort.hpp sorts the segments, selection.hpp selects), or decides a neuron outright (max pool,
// residual add). One thread per (neuron, candidate) unless said otherwise. Products go through exact_mul
// so that host and device round alike.

#include <cstddef>
#include <cstdint>

#include "xddp/config.hpp"
#include "xddp/kernels/arithmetic.hpp"
#include "xddp/kernels/device/pool.hpp"
#include "xddp/kernels/window.hpp"

namespace xddp::kernels::device {

// Where a candidate lies in the padding: no contributor.
inline constexpr std::uint32_t in_padding = 0xffffffffu;

// conv2d, channel neurons: one thread per (influential output channel k, input channel cl of its group):
// maxima[k*cg + cl] = max(0, max over output positions of sum over taps, in tap order, of
// W[o][cl][r][q] * x[g*cg + cl][tap]), the padding read as 0 (the rule's partial convolution, no bias).
struct conv_channel_maxima_body {
    const float* x;       // (C_in, h, w), one sample
    const float* weight;  // (C_out, cg, kh, kw)
    const std::uint32_t* neurons;
    float* maxima;
    std::size_t cg, og, h, w, ho, wo;
    window win;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t k = t / cg, cl = t % cg, o = neurons[k], c = o / og * cg + cl;
        const std::size_t taps = win.kh * win.kw;
        const float* wts = weight + (o * cg + cl) * taps;
        const float* plane = x + c * h * w;
        float best = 0.0f;
        for (std::size_t i = 0; i < ho; ++i)
            for (std::size_t j = 0; j < wo; ++j) {
                float acc = 0.0f;
                for (std::size_t r = 0; r < win.kh; ++r) {
                    const long long ii = tap(i, r, win.sh, win.dh, win.ph);
                    for (std::size_t q = 0; q < win.kw; ++q) {
                        const long long jj = tap(j, q, win.sw, win.dw, win.pw);
                        const float v = inside(ii, h) && inside(jj, w)
                                            ? plane[static_cast<std::size_t>(ii) * w + static_cast<std::size_t>(jj)]
                                            : 0.0f;
                        acc = exact_add(acc, exact_mul(wts[r * win.kw + q], v));
                    }
                }
                best = acc > best ? acc : best;
            }
        maxima[t] = best;
    }
};

// conv2d, element neurons: one thread per (neuron k, candidate idx < cg*kh*kw): z = W[o][idx] * x[tap]
// (the padding multiplies 0, as DDP does) and where = the flat input index, or in_padding.
struct conv_element_products_body {
    const float* x;
    const float* weight;
    const std::uint32_t* neurons;  // flat output indices o*ho*wo + i*wo + j
    float* z;                      // segment k at z + k*padded
    std::uint32_t* where;
    std::size_t cg, og, h, w, ho, wo, padded;
    window win;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t taps = win.kh * win.kw, candidates = cg * taps;
        const std::size_t k = t / candidates, idx = t % candidates;
        const std::size_t n = neurons[k], o = n / (ho * wo), i = n % (ho * wo) / wo, j = n % wo;
        const std::size_t cl = idx / taps, r = idx % taps / win.kw, q = idx % win.kw, c = o / og * cg + cl;
        const long long ii = tap(i, r, win.sh, win.dh, win.ph), jj = tap(j, q, win.sw, win.dw, win.pw);
        const float wv = weight[o * candidates + idx];
        if (inside(ii, h) && inside(jj, w)) {
            const std::size_t flat = static_cast<std::size_t>(ii) * w + static_cast<std::size_t>(jj);
            z[k * padded + idx] = exact_mul(wv, x[c * h * w + flat]);
            where[k * padded + idx] = static_cast<std::uint32_t>(c * h * w + flat);
        } else {
            z[k * padded + idx] = exact_mul(wv, 0.0f);
            where[k * padded + idx] = in_padding;
        }
    }
};

// linear: one thread per (neuron k, input p): z = max(0, x[p] * W[o][p]); y_sel[k] = y[o] and bias_sel[k] =
// b[o] are written by the p = 0 thread, for the biased selection.
struct linear_products_body {
    const float* x;
    const float* weight;
    const float* bias;  // or null
    const float* y;     // the layer's output (head), one sample
    const std::uint32_t* neurons;
    float* z;
    float* y_sel;
    float* bias_sel;
    std::size_t in_features, padded;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t k = t / in_features, p = t % in_features, o = neurons[k];
        const float v = exact_mul(x[p], weight[o * in_features + p]);
        z[k * padded + p] = v > 0.0f ? v : 0.0f;
        if (p == 0) {
            y_sel[k] = y[o];
            bias_sel[k] = bias ? bias[o] : 0.0f;
        }
    }
};

// max_pool2d, element neurons: one thread per neuron: the first maximum of its window in row-major window
// order (padding never wins); where = flat input index, or in_padding when the window holds no input or
// its maximum is 0 (a zero weight is dropped).
struct max_pool_argmax_body {
    const float* x;
    const std::uint32_t* neurons;
    float* best;
    std::uint32_t* where;
    std::size_t h, w, ho, wo;
    window win;

    XDDP_HOST_DEVICE void operator()(std::size_t k) const {
        const std::size_t n = neurons[k], c = n / (ho * wo), i = n % (ho * wo) / wo, j = n % wo;
        const float* plane = x + c * h * w;
        bool found = false;
        float top = 0.0f;
        std::size_t arg = 0;
        for_each_inside_tap(win, i, j, h, w, [&](std::size_t flat) {
            if (!found || plane[flat] > top) {
                found = true;
                top = plane[flat];
                arg = flat;
            }
        });
        best[k] = top;
        where[k] = found && top != 0.0f ? static_cast<std::uint32_t>(c * h * w + arg) : in_padding;
    }
};

// The average pools, element neurons: one thread per (neuron k, window slot): the slot-th entry of the
// window in row-major order, max(x, 0) / divisor; lengths[k] = the window's size (written by slot 0).
// Windows: adaptive (kh = 0) or avg_pool2d's clipped windows.
struct window_values_body {
    const float* x;
    const std::uint32_t* neurons;
    float* values;
    std::uint32_t* where;
    std::uint32_t* lengths;
    std::size_t h, w, ho, wo, padded;
    bool adaptive;
    std::size_t kh, kw, sh, sw, ph, pw, pad_end_h, pad_end_w;
    bool count_include_pad;

    XDDP_HOST_DEVICE void operator()(std::size_t t) const {
        const std::size_t k = t / padded, slot = t % padded;
        const std::size_t n = neurons[k], c = n / (ho * wo), i = n % (ho * wo) / wo, j = n % wo;
        std::size_t r0, r1, q0, q1;
        float divisor;
        if (adaptive) {
            r0 = adaptive_begin(i, h, ho);
            r1 = adaptive_end(i, h, ho);
            q0 = adaptive_begin(j, w, wo);
            q1 = adaptive_end(j, w, wo);
            divisor = static_cast<float>((r1 - r0) * (q1 - q0));
        } else {
            const pool_span r = avg_pool_span(i, h, kh, sh, ph, pad_end_h, count_include_pad);
            const pool_span q = avg_pool_span(j, w, kw, sw, pw, pad_end_w, count_include_pad);
            r0 = r.begin;
            r1 = r.end;
            q0 = q.begin;
            q1 = q.end;
            divisor = static_cast<float>(r.divisor * q.divisor);
        }
        const std::size_t width = q1 - q0, size = (r1 - r0) * width;
        if (slot == 0) lengths[k] = static_cast<std::uint32_t>(size);
        if (slot >= size) return;
        const std::size_t flat = (r0 + slot / width) * w + q0 + slot % width;
        const float v = x[c * h * w + flat];
        values[t] = (v > 0.0f ? v : 0.0f) / divisor;
        where[t] = static_cast<std::uint32_t>(c * h * w + flat);
    }
};

// The residual add: one thread per neuron: 0 if the lower predecessor's value (channel max, or element) is
// strictly larger, else 1.
struct add_choice_body {
    const float* a;
    const float* b;
    const std::uint32_t* neurons;
    std::size_t plane;  // 1 for element neurons
    std::uint8_t* choice;

    XDDP_HOST_DEVICE void operator()(std::size_t k) const {
        const float* pa = a + neurons[k] * plane;
        const float* pb = b + neurons[k] * plane;
        float va = pa[0], vb = pb[0];
        for (std::size_t p = 1; p < plane; ++p) {
            va = pa[p] > va ? pa[p] : va;
            vb = pb[p] > vb ? pb[p] : vb;
        }
        choice[k] = va > vb ? 0 : 1;
    }
};

}  // namespace xddp::kernels::device
