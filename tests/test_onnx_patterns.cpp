// The pattern analysis of golden/patterns/model.onnx, imported, equals that of the same model built with
// the sequential builder from its .npy weights: same layers, same flatten order, same moments to the bit.

#include <doctest/doctest.h>

#include <xddp/io/onnx.hpp>
#include <xddp/patterns/statistics.hpp>

#include "golden_patterns.hpp"

TEST_CASE("patterns: the imported ONNX model gives the statistics of the builder's model") {
    const auto imported = xddp::io::load_onnx(golden_patterns::dir() / "model.onnx");
    const auto built = golden_patterns::model();
    const auto x_all = golden_patterns::inputs();
    const xt::xarray<float> x = xt::view(x_all, xt::range(0, 24));
    const auto a = xddp::collect_pattern_statistics(imported, x, 8);
    const auto b = xddp::collect_pattern_statistics(built, x, 24);
    REQUIRE(a.layers().size() == b.layers().size());
    for (std::size_t k = 0; k < a.layers().size(); ++k) {
        const auto& la = a.layers()[k];
        const auto& lb = b.layers()[k];
        CAPTURE(lb.name);
        CHECK(la.kernel_shape == lb.kernel_shape);
        CHECK(la.flatten_source == lb.flatten_source);
        CHECK(la.weight == lb.weight);
        for (const auto kind : xddp::pattern_kinds) {
            const auto pa = xddp::estimate_pattern(a.moments[k], kind, la.weight);
            const auto pb = xddp::estimate_pattern(b.moments[k], kind, lb.weight);
            CHECK(pa.pattern == pb.pattern);
        }
    }
    CHECK(a.layers()[3].flatten_source == xddp::hwc_t{7, 7, 32});
}
