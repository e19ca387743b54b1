// The per-level part of direct_conv2d (kernels/host/direct_conv2d.hpp): the register tiles, the weight
// packing, and the table of both that the shared driver runs. Included into each level's namespace by
// simd/for_each_level.hpp, where vec, lanes, registers, load_aligned, broadcast and fma are the level's.

namespace direct_conv2d_tiles {

using host::direct_conv2d_detail::tile_args;
using host::direct_conv2d_detail::tile_function;

inline constexpr int vectors = 2;                      // output-channel vectors per tile
inline constexpr std::size_t block = vectors * lanes;  // output channels per tile
// Accumulators plus two weight vectors and a broadcast must fit in the registers.
inline constexpr int max_pixels = std::min(14, (registers - vectors - 2) / vectors);

// Writes the accumulators (pixel-major) to the output planes (channel-major).
template <int Rows, int Pixels>
XDDP_TARGET inline void store_tile(const vec (&acc)[Rows * Pixels][vectors], const tile_args& t) {
    constexpr int n = Rows * Pixels;
#if XDDP_SIMD_LANES == 16
    // Two 16x16 transposes in registers, then one masked store per channel and row.
    const __mmask16 row_mask = static_cast<__mmask16>((1u << Pixels) - 1);
    for (int v = 0; v < vectors; ++v) {
        __m512 r[16];
        XDDP_UNROLL
        for (int i = 0; i < 16; ++i) r[i] = acc[i < n ? i : 0][v];  // rows >= n land in lanes never stored
        transpose16(r);
        const std::size_t first = static_cast<std::size_t>(v) * lanes;
        const std::size_t count = t.channels > first ? std::min(lanes, t.channels - first) : 0;
        for (std::size_t c = 0; c < count; ++c) {
            float* dst = t.output + (first + c) * t.output_plane;
            _mm512_mask_storeu_ps(dst, row_mask, r[c]);
            // The second row's pixels are lanes [Pixels, 2*Pixels); shift the address so lane Pixels
            // lands on the row's first pixel (masked-off lanes are never touched).
            if constexpr (Rows == 2)
                _mm512_mask_storeu_ps(dst + static_cast<std::ptrdiff_t>(t.output_row) - Pixels,
                                      static_cast<__mmask16>(row_mask << Pixels), r[c]);
        }
    }
#else
    alignas(64) float tmp[n][block];
    XDDP_UNROLL
    for (int i = 0; i < n; ++i)
        for (int v = 0; v < vectors; ++v) store_aligned(&tmp[i][v * lanes], acc[i][v]);
    for (std::size_t c = 0; c < t.channels; ++c) {
        float* dst = t.output + c * t.output_plane;
        for (int r = 0; r < Rows; ++r)
            for (int p = 0; p < Pixels; ++p) dst[r * t.output_row + p] = tmp[r * Pixels + p][c];
    }
#endif
}

template <int Rows, int Pixels>
XDDP_TARGET void run_tile(const tile_args& t) {
    constexpr int n = Rows * Pixels;
    vec acc[n][vectors];
    XDDP_UNROLL
    for (int v = 0; v < vectors; ++v) {
        const vec b = load_aligned(t.bias + v * lanes);
        XDDP_UNROLL
        for (int i = 0; i < n; ++i) acc[i][v] = b;
    }
    const float* in0 = t.input;
    const float* w = t.weights;
    const char* prefetch = t.prefetch;
    const std::size_t prefetch_every = t.prefetch_lines ? std::max<std::size_t>(1, t.tap_count / t.prefetch_lines) : 0;
    std::size_t next_prefetch = t.prefetch_lines ? 0 : t.tap_count;
    for (std::size_t k = 0; k < t.tap_count; ++k, w += block) {
        if (k == next_prefetch) {
            __builtin_prefetch(prefetch, 0, 2);
            prefetch += 64;
            next_prefetch += prefetch_every;
        }
        const std::ptrdiff_t o = t.taps[k];
        vec wv[vectors];
        XDDP_UNROLL
        for (int v = 0; v < vectors; ++v) wv[v] = load_aligned(w + v * lanes);
        XDDP_UNROLL
        for (int p = 0; p < Pixels; ++p) {
            const vec x = broadcast(in0[o + p]);
            XDDP_UNROLL
            for (int v = 0; v < vectors; ++v) acc[p][v] = fma(wv[v], x, acc[p][v]);
        }
        if constexpr (Rows == 2) {
            const float* in1 = in0 + t.input_row;
            XDDP_UNROLL
            for (int p = 0; p < Pixels; ++p) {
                const vec x = broadcast(in1[o + p]);
                XDDP_UNROLL
                for (int v = 0; v < vectors; ++v) acc[Pixels + p][v] = fma(wv[v], x, acc[Pixels + p][v]);
            }
        }
    }
    store_tile<Rows, Pixels>(acc, t);
}

template <int Rows, std::size_t... P>
constexpr std::array<tile_function, sizeof...(P)> make_tiles(std::index_sequence<P...>) {
    return {&run_tile<Rows, static_cast<int>(P) + 1>...};
}

inline constexpr auto one_row_tiles = make_tiles<1>(std::make_index_sequence<max_pixels>{});
inline constexpr auto two_row_tiles = make_tiles<2>(std::make_index_sequence<max_pixels / 2>{});

// Packs output channels [first, first + count) of one group, each `taps` weights long, as [tap][block].
XDDP_TARGET inline void pack_weights(const float* weight, std::size_t taps, std::size_t count, float* dst) {
    std::size_t k = 0;
#if XDDP_SIMD_LANES == 16
    if (count == block) {
        // 16 taps x 16 channels at a time, one half of the channels after the other (16 row streams at a
        // time instead of 32: measurably faster).
        const std::size_t whole = taps / 16 * 16;
        for (std::size_t half = 0; half < 2; ++half)
            for (std::size_t kk = 0; kk < whole; kk += 16) {
                __m512 r[16];
                load_transposed16(weight + half * 16 * taps + kk, taps, r);
                for (std::size_t i = 0; i < 16; ++i) _mm512_store_ps(dst + (kk + i) * block + half * 16, r[i]);
            }
        k = whole;
    }
#endif
    const std::size_t rest = taps - k;  // the taps left, one channel row at a time; missing channels are zeros
    for (std::size_t c = 0; c < block; ++c) {
        float* out = dst + k * block + c;
        const float* in = c < count ? weight + c * taps + k : nullptr;
        for (std::size_t i = 0; i < rest; ++i) out[i * block] = in ? in[i] : 0.0f;
    }
}

}  // namespace direct_conv2d_tiles

inline constexpr direct_conv2d_detail::level_kernels direct_conv2d_kernels{
    lanes, direct_conv2d_tiles::block, direct_conv2d_tiles::max_pixels, direct_conv2d_tiles::one_row_tiles.data(),
    direct_conv2d_tiles::two_row_tiles.data(), &direct_conv2d_tiles::pack_weights};
