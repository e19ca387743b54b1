// Counts that cannot be represented are errors, never results modulo 2^64 (core/checked.hpp, the layer
// costs, metrics::analyze).

#include <doctest/doctest.h>

#include <cstdint>

#include <xddp/core/checked.hpp>
#include <xddp/metrics/model_cost.hpp>
#include <xddp/model/zoo.hpp>

TEST_CASE("checked arithmetic refuses what does not fit in 64 bits") {
    CHECK(xddp::checked_mul(1ull << 32, (1ull << 32) - 1, "x") == 0xffffffff00000000ull);
    CHECK_THROWS_WITH_AS(xddp::checked_mul(1ull << 32, 1ull << 32, "MACs"), doctest::Contains("MACs"),
                         xddp::value_error);
    CHECK_THROWS_AS(xddp::checked_add(UINT64_MAX, 1, "sum"), xddp::value_error);
    const xddp::shape_t huge{1ull << 40, 1ull << 40};
    CHECK_THROWS_WITH_AS(xddp::checked_element_count(huge, "input"), doctest::Contains("64 bits"), xddp::shape_error);
    CHECK(xddp::checked_element_count(xddp::shape_t{0, 1ull << 63}, "zero") == 0);
}

TEST_CASE("a model's costs at a huge input size are an error naming the layer, not MACs modulo 2^64") {
    auto g = xddp::zoo::build("tiny_vgg");
    g.set_input_shape({3, 1000000000, 1000000000});  // per sample, the shapes still fit
    CHECK_THROWS_WITH_AS(xddp::metrics::analyze(g, 1), doctest::Contains("layer 'features.0'"), xddp::value_error);
    // Shapes whose element count cannot be represented are refused where the graph derives them.
    CHECK_THROWS_WITH_AS(g.set_input_shape({3, 1ull << 32, 1ull << 32}), doctest::Contains("64 bits"),
                         xddp::shape_error);
    CHECK_THROWS_AS(xddp::graph({1ull << 32, 1ull << 32, 1ull << 32}), xddp::shape_error);
}

TEST_CASE("layer_cost sums are checked") {
    xddp::layer_cost a{UINT64_MAX, 0, 0, 0};
    const xddp::layer_cost one{1, 0, 0, 0};
    CHECK_THROWS_AS(a += one, xddp::value_error);
}
