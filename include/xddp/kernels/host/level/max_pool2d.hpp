// The per-level part of max_pool2d (kernels/host/max_pool2d.hpp): one output plane, a vector of outputs at a
// time. Included into each level's namespace by simd/for_each_level.hpp, where vec, lanes, load and store
// are the level's.

namespace max_pool2d_tiles {

// One output plane. taps: for each window column s, where its values sit relative to a phase-split row
// (phase row (s*dw) % sw, position (s*dw) / sw); stride_q: floats per phase row (phase_row_length).
XDDP_TARGET inline void plane(const float* p, std::size_t h, std::size_t w, const window2d& win, std::size_t ho,
                              std::size_t wo, const std::size_t* taps, std::size_t stride_q, float* q) {
    const std::size_t sh = win.stride[0], sw = win.stride[1], kh = win.kernel[0], kw = win.kernel[1];
    const std::size_t dh = win.dilation[0], pl = win.pad_begin[1];
    const float lowest = -std::numeric_limits<float>::infinity();
    float* rows = simd::scratch<host::max_pool2d_detail::phase_rows>(h * sw * stride_q);
    for (std::size_t ih = 0; ih < h; ++ih) {
        const float* src = p + ih * w;
        for (std::size_t pc = 0; pc < sw; ++pc) {
            float* dst = rows + (ih * sw + pc) * stride_q;
            // Positions v with 0 <= v*sw + pc - pl < w hold input columns; the rest is -inf padding.
            const std::size_t v_lo = std::min(stride_q, pl > pc ? (pl - pc + sw - 1) / sw : 0);
            const std::size_t v_hi =
                w + pl <= pc ? v_lo : std::max(v_lo, std::min(stride_q, (w + pl - pc + sw - 1) / sw));
            std::fill(dst, dst + v_lo, lowest);
            if (v_hi > v_lo) {
                const float* from = src + (v_lo * sw + pc - pl);
                const std::size_t count = v_hi - v_lo;
                if (sw == 1) std::memcpy(dst + v_lo, from, count * sizeof(float));
                else if (sw == 2)  // the common pooling stride, written out so the compiler vectorises it
                    for (std::size_t v = 0; v < count; ++v) dst[v_lo + v] = from[2 * v];
                else
                    for (std::size_t v = 0; v < count; ++v) dst[v_lo + v] = from[v * sw];
            }
            std::fill(dst + v_hi, dst + stride_q, lowest);
        }
    }
    const vec low = broadcast(lowest);
    for (std::size_t i = 0; i < ho; ++i) {
        float* out = q + i * wo;
        for (std::size_t j = 0; j < wo; j += lanes) {
            vec best = low;
            for (std::size_t r = 0; r < kh; ++r) {
                const std::ptrdiff_t ih = static_cast<std::ptrdiff_t>(i * sh + r * dh) - static_cast<std::ptrdiff_t>(win.pad_begin[0]);
                if (ih < 0 || ih >= static_cast<std::ptrdiff_t>(h)) continue;
                const float* row = rows + static_cast<std::size_t>(ih) * sw * stride_q + j;
                for (std::size_t s = 0; s < kw; ++s) {
                    const vec v = load(row + taps[s]);
                    best = ((v > best) | (v != v)) ? v : best;  // NaN propagates; a tie keeps the first
                }
            }
            if (j + lanes <= wo) {
                store(out + j, best);
            } else {
                alignas(64) float tail[lanes];
                store_aligned(tail, best);
                std::copy(tail, tail + (wo - j), out + j);
            }
        }
    }
}

}  // namespace max_pool2d_tiles
