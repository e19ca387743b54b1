// Must NOT compile: ctest compiles each case with -fsyntax-only and passes when the compiler's diagnostic
// names what is wrong (tests/CMakeLists.txt lists the message each case must print). XDDP_CASE picks it.
//   1-4  a would-be layer lacking one member: the static_assert of layer_check names the member;
//   5-7  a type that keeps a reference to the graph, built on a temporary graph: a deleted constructor.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <xddp/device/forward.hpp>
#include <xddp/metrics/profiler.hpp>
#include <xddp/model/zoo.hpp>
#include <xddp/pipeline/pipeline.hpp>
#include <xddp/state/accuracy.hpp>
#include <xddp/tensor/cuda_emulated.hpp>

struct not_a_layer {
#if XDDP_CASE != 1
    static constexpr std::string_view kind = "not_a_layer";
#endif
#if XDDP_CASE != 2
    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const { return in[0]; }
#endif
#if XDDP_CASE != 3
    std::vector<xddp::parameter> parameters() { return {}; }
#endif
#if XDDP_CASE == 4
    void forward(const xddp::tensor_ref&, xddp::activation&) {}  // not const
#else
    void forward(const xddp::tensor_ref&, xddp::activation&) const {}
#endif
};

int main() {
#if XDDP_CASE <= 4
    xddp::graph g({3, 4, 4});
    return static_cast<int>(g.add("bad", not_a_layer{}, g.input()));
#elif XDDP_CASE == 5  // pipeline on a temporary graph (issue 20: read a destroyed graph at run())
    xddp::pipeline p(xddp::zoo::tiny_vgg(), xddp::accuracy_stage(std::vector<std::int64_t>{0}));
    return static_cast<int>(sizeof p);
#elif XDDP_CASE == 6
    xddp::metrics::profiler p(xddp::zoo::tiny_vgg());
    return static_cast<int>(sizeof p);
#else
    const xddp::device_model<xddp::cuda_emulated> m(xddp::zoo::tiny_vgg());
    return static_cast<int>(sizeof m);
#endif
}
