// Forward passes of the C++-built zoo models against the activations PyTorch recorded (golden data).

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>
#include <xddp/xddp.hpp>

#include "golden_structure.hpp"
#include "reference_layers.hpp"
#include "shared_dir.hpp"

namespace fs = std::filesystem;

namespace {

xddp::graph load_case(const std::string& name) {
    auto g = xddp::zoo::build(name);
    xddp::load_weights(g, shared_dir() / "golden/ddp" / name / "weights");
    return g;
}

// Every recorded module output (head and tail of every DDP layer among them) equals ours.
void check_activations(const std::string& name) {
    const auto g = load_case(name);
    const fs::path dir = shared_dir() / "golden/ddp" / name;
    const auto x = xddp::io::load_npy<float>(dir / "inputs/x0.npy");
    const auto acts = g.forward(x, xddp::keep::all);
    std::size_t compared = 0;
    for (const auto& entry : fs::directory_iterator(dir / "activations_x0")) {
        const std::string module = entry.path().stem().string();
        const auto golden = xddp::io::load_npy<float>(entry.path());
        const auto id = module == "logits" ? std::optional(g.output()) : g.find(module);
        if (!id) {
            // A container module's output (a whole ResNet block) is its last node's output.
            REQUIRE_MESSAGE(g.find(module + ".relu"), "no node for golden module ", module);
            continue;
        }
        std::string why;
        const xt::xarray<float> ours = acts[*id];
        xt::xarray<float> expected = golden;
        expected.reshape(ours.shape());
        CHECK_MESSAGE(reference::allclose(ours, expected, 1e-4, 1e-5, &why), name, " ", module, ": ", why);
        ++compared;
    }
    CHECK(compared >= 9);
}

}  // namespace

TEST_CASE("tiny_vgg forward matches every recorded PyTorch activation") { check_activations("tiny_vgg"); }
TEST_CASE("tiny_resnet forward matches every recorded PyTorch activation") { check_activations("tiny_resnet"); }

TEST_CASE("profile layers group the graph as DeepDataProfiler does (structure.json)") {
    for (const std::string name : {"tiny_vgg", "tiny_resnet"}) {
        CAPTURE(name);
        const auto g = load_case(name);
        std::ifstream in(shared_dir() / "golden/ddp" / name / "structure.json");
        const auto structure = nlohmann::json::parse(in);
        const auto layers = xddp::layer_groups(g);
        REQUIRE(layers.size() == structure["layers"].size());
        for (const auto& expected : structure["layers"]) {
            const auto& l = layers[expected["index"].get<std::size_t>()];
            golden::check_layer_structure(l, expected);
            if (l.index == 0) continue;
            // DDP's head/tail modules; an add layer's modules end with the block container itself.
            const auto modules = expected["ddp_modules"].get<std::vector<std::string>>();
            CHECK(g[l.head].name == expected["ddp_head"].get<std::string>());
            if (l.kind != "add") CHECK(g[l.tail].name == expected["ddp_tail"].get<std::string>());
            else CHECK(g[l.tail].name == modules[1]);
        }
    }
}

TEST_CASE("lenet5 forward over 256 inputs matches the recorded logits") {
    auto g = xddp::zoo::lenet5();
    const fs::path dir = shared_dir() / "golden/tensorstate/lenet5";
    xddp::load_weights(g, dir / "weights");
    const auto x = xddp::io::load_npy<float>(dir / "inputs/x.npy");
    const auto expected = xddp::io::load_npy<float>(dir / "inputs/logits.npy");
    std::string why;
    CHECK_MESSAGE(reference::allclose(g(x), expected, 1e-4, 1e-5, &why), why);
}

TEST_CASE("a batch gives the same outputs as its samples one at a time") {
    const auto g = load_case("tiny_resnet");
    const fs::path dir = shared_dir() / "golden/ddp/tiny_resnet/inputs";
    const auto x0 = xddp::io::load_npy<float>(dir / "x0.npy");
    const auto x1 = xddp::io::load_npy<float>(dir / "x1.npy");
    const xt::xarray<float> batch = xt::concatenate(xt::xtuple(x0, x1), 0);
    const auto y = g(batch);
    const auto y0 = g(x0), y1 = g(x1);
    for (std::size_t k = 0; k < 10; ++k) {
        CHECK(y(0, k) == doctest::Approx(y0(0, k)).epsilon(1e-5));
        CHECK(y(1, k) == doctest::Approx(y1(0, k)).epsilon(1e-5));
    }
}
