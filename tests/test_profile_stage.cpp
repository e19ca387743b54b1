// Profiles through the pipeline: a batch gives each input's golden profile and the golden class profile
// (their sum), identical for any thread count and batch size.

#include <doctest/doctest.h>

#include <xtensor/xbuilder.hpp>

#include "golden_profiles.hpp"
#include "xddp/core/threads.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/pipeline/pipeline.hpp"
#include "xddp/pipeline/profile_stage.hpp"
#include "xddp/profile/json.hpp"

namespace {

template <xddp::neuron_policy P>
void check_case(const std::string& model, const std::string& policy, double threshold) {
    const auto dir = golden::case_dir(model);
    const xddp::graph g = golden::golden_model(model);
    const auto x0 = xddp::io::load_npy<float>(dir / "inputs/x0.npy");
    const auto x1 = xddp::io::load_npy<float>(dir / "inputs/x1.npy");
    const xt::xarray<float> batch = xt::concatenate(xt::xtuple(x0, x1), 0);
    const std::string key = "profile_" + policy + "_t" + (threshold == 0.1 ? "0.1" : "0.5");
    const auto golden_sum = xddp::load_profile_json(dir / (key + "_sum.json"));
    const auto golden_x1 = xddp::load_profile_json(dir / (key + "_x1.json"));
    const unsigned threads_before = xddp::num_threads();
    for (unsigned threads : {1u, 2u}) {
        xddp::set_num_threads(threads);
        for (std::size_t batch_size : {1u, 2u}) {
            xddp::pipeline p(g, xddp::profile_stage<P>({.threshold = threshold}, xddp::input_profiles::keep));
            p.run(batch, {.batch_size = batch_size, .progress = {}});
            const std::string what = model + " " + key + " threads " + std::to_string(threads) + " batch " +
                                     std::to_string(batch_size);
            golden::compare_profiles(p.template stage<0>().class_profile(), golden_sum, what + " sum");
            REQUIRE(p.template stage<0>().per_input().size() == 2);
            golden::compare_profiles(p.template stage<0>().per_input()[1], golden_x1, what + " x1");
        }
    }
    xddp::set_num_threads(threads_before);
}

}  // namespace

TEST_CASE("profile_stage: class profiles of a batch equal DDP's sums, whatever threads and batch size") {
    check_case<xddp::channel_neurons>("tiny_vgg", "channel", 0.1);
    check_case<xddp::element_neurons>("tiny_resnet", "element", 0.5);
}

TEST_CASE("profile_stage: a threshold outside (0, 1] fails before any forward pass") {
    CHECK_THROWS_AS(xddp::profile_stage<xddp::channel_neurons>({.threshold = 0.0}), xddp::value_error);
    CHECK_THROWS_AS(xddp::profile_stage<xddp::element_neurons>({.threshold = 1.5}), xddp::value_error);
}
