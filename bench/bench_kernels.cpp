// Kernel benchmarking as a user does it (metrics/google_benchmark.hpp): the user's own layer types beside the
// built-in ones, outputs checked before anything is timed. The "user kernels" here are the textbook versions:
// a 3x3 convolution as im2col + one sgemm per image (what most hand-written CPU convs are), and a ReLU loop.

#include <algorithm>
#include <span>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "xddp/kernels/host/blas.hpp"
#include "xddp/kernels/host/im2col.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/metrics/google_benchmark.hpp"

namespace {

// im2col + sgemm, stride 1, padding p, with bias; its own weight storage.
struct textbook_conv {
    static constexpr std::string_view kind = "textbook_conv";
    std::size_t cin, cout, k, pad;
    xt::xtensor<float, 4> w = xt::zeros<float>({cout, cin, k, k});
    xt::xtensor<float, 1> b = xt::zeros<float>({cout});

    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const {
        const auto& s = in[0];
        return {s[0], cout, s[2] + 2 * pad - k + 1, s[3] + 2 * pad - k + 1};
    }
    std::vector<xddp::parameter> parameters() { return {{"weight", {cout, cin, k, k}, w.data()}, {"bias", {cout}, b.data()}}; }
    void forward(const xddp::tensor_ref& x, xddp::activation& y) const {
        const auto& s = x.shape();
        const xddp::shape_t in{s[0], s[1], s[2], s[3]};
        const auto out = output_shape(std::span(&in, 1));
        y.resize(out);
        const std::size_t hw = out[2] * out[3], kk = cin * k * k;
        std::vector<float> cols(kk * hw);
        const auto win = xddp::make_window({k, k}, {1, 1}, {pad, pad}, std::nullopt, {1, 1}, false);
        for (std::size_t n = 0; n < s[0]; ++n) {
            xddp::kernels::host::im2col(x.data() + n * cin * s[2] * s[3], cin, s[2], s[3], win, out[2], out[3], cols.data());
            float* dst = y.data() + n * cout * hw;
            for (std::size_t o = 0; o < cout; ++o) std::fill_n(dst + o * hw, hw, b(o));
            xddp::kernels::host::gemm(cout, hw, kk, w.data(), kk, cols.data(), hw, dst, hw, true);
        }
    }
};

struct loop_relu {
    static constexpr std::string_view kind = "loop_relu";
    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const { return in[0]; }
    std::vector<xddp::parameter> parameters() { return {}; }
    void forward(const xddp::tensor_ref& x, xddp::activation& y) const {
        y.resize(x.shape());
        std::transform(x.data(), x.data() + x.size(), y.data(), [](float v) { return v > 0.0f || v != v ? v : 0.0f; });
    }
};

}  // namespace

int main(int argc, char** argv) {
    xddp::set_num_threads(1);  // both sides on one thread: the comparison is per core
    using xddp::metrics::register_kernel_comparison;
    for (std::size_t c : {64, 256}) {
        const std::size_t hw = c == 64 ? 56 : 14;
        register_kernel_comparison("conv3x3_" + std::to_string(c) + "x" + std::to_string(hw), textbook_conv{c, c, 3, 1},
                                   xddp::conv2d({.in_channels = c, .out_channels = c, .kernel = {3, 3}, .padding = {1, 1}}),
                                   {{1, c, hw, hw}})
            .unit(benchmark::kMillisecond);
    }
    register_kernel_comparison("relu_64x56x56", loop_relu{}, xddp::relu{}, {{1, 64, 56, 56}}).unit(benchmark::kMicrosecond);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
