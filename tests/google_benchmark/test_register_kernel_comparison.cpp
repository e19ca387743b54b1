// register_kernel_comparison (metrics/google_benchmark.hpp) inside a real Google Benchmark run: a correct user
// kernel is timed beside the built-in layer with MAC/s and items/s counters; a wrong one reports an error
// instead of a time.

#include <doctest/doctest.h>

#include <map>
#include <string_view>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <xddp/layers/conv2d.hpp>
#include <xddp/metrics/google_benchmark.hpp>

namespace {

// A user's 1x1 convolution (no bias): a plain channel mix, optionally wrong in one place.
struct pointwise_conv {
    static constexpr std::string_view kind = "pointwise_conv";
    std::size_t cin, cout;
    bool wrong = false;
    xt::xarray<float> w = xt::zeros<float>({cout, cin, std::size_t{1}, std::size_t{1}});

    xddp::shape_t output_shape(std::span<const xddp::shape_t> in) const { return {in[0][0], cout, in[0][2], in[0][3]}; }
    std::vector<xddp::parameter> parameters() { return {{"weight", {cout, cin, 1, 1}, w.data()}}; }
    void forward(const xddp::tensor_ref& x, xddp::activation& y) const {
        const auto& s = x.shape();
        const std::size_t hw = s[2] * s[3];
        y.resize({s[0], cout, s[2], s[3]});
        for (std::size_t n = 0; n < s[0]; ++n)
            for (std::size_t o = 0; o < cout; ++o)
                for (std::size_t p = 0; p < hw; ++p) {
                    float acc = 0;
                    for (std::size_t c = 0; c < cin; ++c) acc += w(o, c, 0, 0) * x.data()[(n * cin + c) * hw + p];
                    y.data()[(n * cout + o) * hw + p] = acc;
                }
        if (wrong) y.data()[0] += 1.0f;
    }
};

class capture : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>& reported) override {
        for (const Run& r : reported) runs.emplace(r.benchmark_name(), r);
    }
    std::map<std::string, Run> runs;
};

}  // namespace

TEST_CASE("google benchmark: kernel comparisons are checked, then timed with counters") {
    const xddp::conv2d_options o{.in_channels = 8, .out_channels = 16, .kernel = {1, 1}, .bias = false};
    xddp::metrics::register_kernel_comparison("pointwise", pointwise_conv{8, 16}, xddp::conv2d(o), {{2, 8, 10, 10}})
        .unit(benchmark::kMicrosecond);
    xddp::metrics::register_kernel_comparison("pointwise_wrong", pointwise_conv{8, 16, true}, xddp::conv2d(o),
                                              {{2, 8, 10, 10}});
    // Registration validates at once: a candidate of another output shape never becomes a benchmark.
    CHECK_THROWS_AS(xddp::metrics::register_kernel_comparison("bad", pointwise_conv{8, 12}, xddp::conv2d(o), {{2, 8, 10, 10}}),
                    xddp::shape_error);

    char name[] = "test", min_time[] = "--benchmark_min_time=0.01";
    char* argv[] = {name, min_time};
    int argc = 2;
    benchmark::Initialize(&argc, argv);
    capture reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    REQUIRE(reporter.runs.count("pointwise/candidate"));
    REQUIRE(reporter.runs.count("pointwise/reference"));
    REQUIRE(reporter.runs.count("pointwise_wrong/candidate"));
    const auto& good = reporter.runs.at("pointwise/candidate");
    CHECK_FALSE(good.error_occurred);
    CHECK(good.iterations > 0);
    CHECK(good.time_unit == benchmark::kMicrosecond);
    REQUIRE(good.counters.count("MAC/s"));
    REQUIRE(good.counters.count("items_per_second"));
    CHECK(good.counters.at("MAC/s").value > 0);
    const auto& bad = reporter.runs.at("pointwise_wrong/candidate");
    CHECK(bad.error_occurred);
    CHECK(bad.error_message.find("output differs from the reference") != std::string::npos);
    CHECK(bad.error_message.find("1 of 3200 elements outside") != std::string::npos);
    CHECK_FALSE(reporter.runs.at("pointwise_wrong/reference").error_occurred);
}
