// The golden ONNX models import into the graphs the C++ builder makes: the same logits as the C++-built
// models with .npy weights, the same profile layers as structure.json, PyTorch's recorded activations.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xddp/io/onnx.hpp>
#include <xddp/xddp.hpp>

#include "golden_structure.hpp"
#include "reference_layers.hpp"
#include "shared_dir.hpp"

namespace fs = std::filesystem;

namespace {

xddp::graph import(const fs::path& file) { return xddp::io::load_onnx(shared_dir() / "golden" / file); }

xddp::graph zoo_model(const std::string& name, const fs::path& weights) {
    auto g = xddp::zoo::build(name);
    xddp::load_weights(g, shared_dir() / "golden" / weights);
    return g;
}

// Weights named <node>.<parameter>.npy from a folder that also holds other files.
void load_parameters(xddp::graph& g, const fs::path& dir) {
    for (xddp::node_id id = 1; id < g.size(); ++id)
        for (const auto& p : g.at(id).layer->parameters()) {
            const auto v = xddp::io::load_npy<float>(dir / (g[id].name + "." + p.name + ".npy"));
            REQUIRE(xddp::shape_t(v.shape().begin(), v.shape().end()) == p.shape);
            std::copy(v.begin(), v.end(), p.data);
        }
}

// Largest |a - b| / (1e-6 + |b|), printed so the match is visible in the test log.
double worst_relative(const xt::xarray<float>& a, const xt::xarray<float>& b) {
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(double(a.data()[i]) - b.data()[i]) / (1e-6 + std::abs(double(b.data()[i]))));
    return worst;
}

// Checks the logits of both graphs agree and returns the imported graph's.
xt::xarray<float> check_same_logits(const xddp::graph& imported, const xddp::graph& built, const xt::xarray<float>& x,
                                    const std::string& what) {
    auto ours = imported(x);
    const auto expected = built(x);
    std::string why;
    CHECK_MESSAGE(reference::allclose(ours, expected, 1e-5, 1e-6, &why), what, ": ", why);
    MESSAGE(what << ": " << x.shape()[0] << " inputs, worst relative difference " << worst_relative(ours, expected));
    return ours;
}

// Index, kind, shape, predecessors and successors of every profile layer agree.
void check_same_layers(const xddp::graph& imported, const xddp::graph& built) {
    const auto a = xddp::layer_groups(imported);
    const auto b = xddp::layer_groups(built);
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
        CAPTURE(k);
        CHECK(a[k].kind == b[k].kind);
        CHECK(a[k].shape == b[k].shape);
        CHECK(a[k].predecessors == b[k].predecessors);
        CHECK(a[k].successors == b[k].successors);
    }
}

void check_ddp_case(const std::string& name) {
    const fs::path dir = shared_dir() / "golden/ddp" / name;
    const auto imported = import("ddp/" + name + "/model.onnx");
    const auto built = zoo_model(name, "ddp/" + name + "/weights");
    for (const char* input : {"x0", "x1"})
        check_same_logits(imported, built, xddp::io::load_npy<float>(dir / "inputs" / (std::string(input) + ".npy")),
                          name + " " + input);
    check_same_layers(imported, built);

    // structure.json: names too, and the ONNX nodes DDP lists for each layer.
    std::ifstream in(dir / "structure.json");
    const auto structure = nlohmann::json::parse(in);
    const auto layers = xddp::layer_groups(imported);
    REQUIRE(layers.size() == structure["layers"].size());
    for (const auto& expected : structure["layers"]) {
        const auto& l = layers[expected["index"].get<std::size_t>()];
        CAPTURE(l.name);
        golden::check_layer_structure(l, expected);
        if (l.index == 0) continue;
        const auto nodes = expected["onnx_nodes"].get<std::vector<std::string>>();
        // The layer's tail is its last ONNX node; the head its first one that is not a Flatten (which
        // the linear layer does itself), except in an add layer, whose head is its tail.
        CHECK(imported[l.tail].name == xddp::io::onnx_detail::layer_name(nodes.back()));
        if (l.kind != "add") CHECK(imported[l.head].name == expected["ddp_head"].get<std::string>());
    }

    // Every activation PyTorch recorded for x0 is the imported node of that name (the dropout PyTorch
    // leaves out of an eval-mode export has no node; a ResNet block's output is its relu's).
    const auto x0 = xddp::io::load_npy<float>(dir / "inputs/x0.npy");
    const auto acts = imported.forward(x0, xddp::keep::all);
    std::size_t compared = 0;
    for (const auto& entry : fs::directory_iterator(dir / "activations_x0")) {
        const std::string module = entry.path().stem().string();
        const auto id = module == "logits" ? std::optional(imported.output()) : imported.find(module);
        if (!id) continue;
        const xt::xarray<float> ours = acts[*id];
        xt::xarray<float> golden = xddp::io::load_npy<float>(entry.path());
        golden.reshape(ours.shape());
        std::string why;
        CHECK_MESSAGE(reference::allclose(ours, golden, 1e-4, 1e-5, &why), module, ": ", why);
        ++compared;
    }
    CHECK(compared >= 10);
}

}  // namespace

TEST_CASE("tiny_vgg.onnx imports as the C++ tiny_vgg: logits, profile layers, activations") { check_ddp_case("tiny_vgg"); }

TEST_CASE("tiny_resnet.onnx imports as the C++ tiny_resnet: logits, profile layers, activations") {
    check_ddp_case("tiny_resnet");
}

TEST_CASE("the imported tiny_resnet holds the weights of the .npy folder under the same names") {
    // Node names are PyTorch's module paths, so the state_dict folder loads into the imported graph too.
    auto imported = import("ddp/tiny_resnet/model.onnx");
    const auto before = imported(xddp::io::load_npy<float>(shared_dir() / "golden/ddp/tiny_resnet/inputs/x1.npy"));
    xddp::load_weights(imported, shared_dir() / "golden/ddp/tiny_resnet/weights");
    const auto after = imported(xddp::io::load_npy<float>(shared_dir() / "golden/ddp/tiny_resnet/inputs/x1.npy"));
    CHECK(after == before);
}

TEST_CASE("lenet5.onnx (Identity-shared biases, Reshape plumbing) imports as the C++ lenet5") {
    const auto imported = import("tensorstate/lenet5/model.onnx");
    const auto built = zoo_model("lenet5", "tensorstate/lenet5/weights");
    const fs::path dir = shared_dir() / "golden/tensorstate/lenet5/inputs";
    const auto x = xddp::io::load_npy<float>(dir / "x.npy");
    const auto logits = check_same_logits(imported, built, x, "lenet5");
    check_same_layers(imported, built);
    std::string why;
    CHECK_MESSAGE(reference::allclose(logits, xddp::io::load_npy<float>(dir / "logits.npy"), 1e-4, 1e-5, &why), why);
}

TEST_CASE("the sensitivity model (functional relu/pool nodes) imports as its C++ build") {
    using namespace xddp;
    auto built = zoo::tiny_cnn();
    const fs::path dir = shared_dir() / "golden/metrics/sensitivity";
    load_weights(built, dir / "weights");
    auto imported = import("metrics/sensitivity/model.onnx");
    check_same_logits(imported, built, io::load_npy<float>(dir / "dataset/x_test.npy"), "sensitivity");
    check_same_layers(imported, built);
    // Functional F.relu / F.max_pool2d calls have no module: they keep their ONNX node names.
    CHECK(imported.find("Relu_1"));
    CHECK(imported.find("MaxPool"));
    load_weights(imported, dir / "weights");  // conv1, conv2, fc1, fc2: the state_dict names
}

TEST_CASE("the patterns model imports as its C++ build and matches the float64 reference logits") {
    using namespace xddp;
    auto built = zoo::patterns_cnn();
    const fs::path dir = shared_dir() / "golden/patterns/model_and_data";
    load_parameters(built, dir);  // the folder also holds logits_f64 and x_nchw
    auto imported = import("patterns/model.onnx");
    const auto x = io::load_npy<float>(dir / "x_nchw.npy");
    const auto logits = check_same_logits(imported, built, x, "patterns");
    check_same_layers(imported, built);
    const xt::xarray<float> reference_logits = xt::cast<float>(io::load_npy<double>(dir / "logits_f64.npy"));
    std::string why;
    CHECK_MESSAGE(reference::allclose(logits, reference_logits, 1e-4, 1e-5, &why), why);
}
