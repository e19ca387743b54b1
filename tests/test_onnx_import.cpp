// The ONNX importer on hand-made models: each op and attribute it maps, the shape plumbing it folds, the
// external data it reads, and broken or hostile files, which must give format_error / unsupported_error
// naming what is wrong, never a crash. (A second translation unit including io/onnx.hpp, linked with
// test_onnx.cpp, doubles as the component's one-definition-rule check.)

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

#include <xddp/io/onnx.hpp>
#include <xddp/xddp.hpp>

#include "check_error.hpp"
#include "reference_layers.hpp"
#include "shared_dir.hpp"
#include "onnx_load.hpp"
#include "test_onnx_builder.hpp"

namespace fs = std::filesystem;
using namespace onnx_test;
using xddp::io::onnx_detail::layer_name;
using xddp::io::onnx_detail::module_path;

namespace {


// "prefix<k>" (std::string::append: GCC 12 warns falsely on "literal" + std::string at -O2).
std::string numbered(const char* prefix, int k) { return std::string(prefix).append(std::to_string(k)); }

// One Conv (or pool) node on an (N, C, H, W) input, for attribute tests.
model_builder single(const std::string& op, std::vector<std::int64_t> in, const std::function<void(pb::NodeProto&)>& attrs,
                     std::vector<std::int64_t> weight = {}) {
    model_builder b;
    b.input("x", in).output("y");
    if (weight.empty()) {
        attrs(b.node(op, {"x"}, {"y"}, "/layer/" + op));
    } else {
        b.weight("w", weight);
        attrs(b.node(op, {"x", "w"}, {"y"}, "/layer/" + op));
    }
    return b;
}

}  // namespace

TEST_CASE("PyTorch node names give module paths") {
    CHECK(module_path("/layer1/layer1.0/conv1/Conv") == "layer1.0.conv1");
    CHECK(module_path("/features/features.0/Conv") == "features.0");
    CHECK(module_path("/layer2/layer2.0/downsample/downsample.0/Conv") == "layer2.0.downsample.0");
    CHECK(module_path("/fc/Gemm") == "fc");
    CHECK(module_path("/classifier/classifier.3/Gemm") == "classifier.3");
    CHECK(module_path("/Flatten").empty());
    CHECK(module_path("Conv_0").empty());
    CHECK(module_path("").empty());
    CHECK(module_path("//a//b/") == "a");
    CHECK(layer_name("/layer1/layer1.0/Add", ".resnetadd") == "layer1.0.resnetadd");
    CHECK(layer_name("/Relu_1") == "Relu_1");
    CHECK(layer_name("Identity_0") == "Identity_0");
}

TEST_CASE("a small PyTorch-style CNN imports as the graph one would build in C++") {
    const auto b = small_cnn();
    auto g = load(b);
    std::vector<std::string> names;
    for (const auto& n : g.nodes()) names.push_back(n.name);
    // No node for Constant/Shape/Gather/Unsqueeze/Concat/Reshape; MatMul + Add is one layer "fc1".
    CHECK(names == std::vector<std::string>{"input", "conv1", "bn1", "relu", "pool", "conv2", "act", "avgpool", "fc1",
                                            "relu2", "fc2"});
    CHECK(g.input_shape() == xddp::shape_t{3, 8, 8});
    const auto& conv2 = layer_of<xddp::conv2d>(g, "conv2");
    CHECK(conv2.window().pad_begin == xddp::pair_t{0, 1});  // pads = (top, left, bottom, right)
    CHECK(conv2.window().pad_end == xddp::pair_t{1, 0});
    CHECK(layer_of<xddp::hardtanh>(g, "act").max_value == 6.0f);
    CHECK(layer_of<xddp::adaptive_avg_pool2d>(g, "avgpool").output_size() == xddp::pair_t{1, 1});
    const auto& fc1 = layer_of<xddp::linear>(g, "fc1");
    CHECK(fc1.options().bias);
    CHECK(fc1.weight()(4, 5) == ramp(30)[5 * 5 + 4]);  // the MatMul weight (in, out) transposed
    CHECK(fc1.bias()(2) == ramp(5)[2]);

    // The same model built in C++ computes the same logits.
    using namespace xddp;
    graph built({3, 8, 8});
    node_id x = built.add("conv1", conv2d({.in_channels = 3, .out_channels = 4, .kernel = {3, 3}, .padding = {1, 1}}), 0);
    x = built.add("bn1", batch_norm(4), x);
    x = built.add("relu", relu{}, x);
    x = built.add("pool", max_pool2d({.kernel = {2, 2}}), x);
    x = built.add("conv2", conv2d({.in_channels = 4, .out_channels = 6, .kernel = {3, 3}, .stride = {2, 2},
                                   .padding = {0, 1}, .padding_end = pair_t{1, 0}}), x);
    x = built.add("act", relu6(), x);
    x = built.add("avgpool", adaptive_avg_pool2d({1, 1}), x);
    x = built.add("fc1", linear({.in_features = 6, .out_features = 5}), x);
    x = built.add("relu2", relu{}, x);
    built.add("fc2", linear({.in_features = 5, .out_features = 3}), x);
    for (node_id id = 1; id < g.size(); ++id) {
        auto from = g.at(id).layer->parameters();
        auto to = built.at(id).layer->parameters();
        REQUIRE(from.size() == to.size());
        for (std::size_t k = 0; k < from.size(); ++k)
            std::copy(from[k].data, from[k].data + element_count(from[k].shape), to[k].data);
    }
    std::mt19937 rng(7);
    const auto input = reference::random_array({5, 3, 8, 8}, rng);
    CHECK(g(input) == built(input));
    CHECK(xddp::layer_groups(g).size() == 7);
}

TEST_CASE("Conv: auto_pad, dilations, groups and kernel_shape") {
    auto conv = [](const std::string& auto_pad) {
        return load(single("Conv", {2, 5, 5}, [&](pb::NodeProto& n) {
            set_string(n, "auto_pad", auto_pad);
            set_ints(n, "strides", {2, 2});
        }, {3, 2, 2, 2}));
    };
    const auto upper = conv("SAME_UPPER");  // out 3: 1 padding row needed, at the end
    CHECK(layer_of<xddp::conv2d>(upper, "layer").window().pad_begin == xddp::pair_t{0, 0});
    CHECK(layer_of<xddp::conv2d>(upper, "layer").window().pad_end == xddp::pair_t{1, 1});
    CHECK(upper[upper.output()].shape == xddp::shape_t{3, 3, 3});
    const auto lower = conv("SAME_LOWER");
    CHECK(layer_of<xddp::conv2d>(lower, "layer").window().pad_begin == xddp::pair_t{1, 1});
    CHECK(layer_of<xddp::conv2d>(lower, "layer").window().pad_end == xddp::pair_t{0, 0});
    CHECK(conv("VALID")[1].shape == xddp::shape_t{3, 2, 2});
    CHECK_ERROR(xddp::format_error, conv("SAME"), "auto_pad 'SAME'");

    const auto g = load(single("Conv", {4, 9, 9}, [](pb::NodeProto& n) {
        set_int(n, "group", 2);
        set_ints(n, "dilations", {2, 3});
        set_ints(n, "kernel_shape", {3, 3});
    }, {6, 2, 3, 3}));
    const auto& c = layer_of<xddp::conv2d>(g, "layer");
    CHECK(c.options().groups == 2);
    CHECK(c.window().dilation == xddp::pair_t{2, 3});
    CHECK(!c.options().bias);
    CHECK(g[1].shape == xddp::shape_t{6, 5, 3});

    CHECK_ERROR(xddp::format_error, load(single("Conv", {4, 9, 9}, [](pb::NodeProto& n) { set_int(n, "group", 3); }, {6, 2, 3, 3})),
                "groups");
    CHECK_ERROR(xddp::format_error,
                load(single("Conv", {4, 9, 9}, [](pb::NodeProto& n) { set_ints(n, "kernel_shape", {2, 3}); }, {6, 4, 3, 3})),
                "kernel_shape");
    CHECK_ERROR(xddp::unsupported_error, load(single("Conv", {4, 9}, [](pb::NodeProto&) {}, {6, 4, 3})),
                "2-D convolution");
    CHECK_ERROR(xddp::format_error, load(single("Conv", {4, 9, 9}, [](pb::NodeProto&) {}, {6, 4, 3})), "expected 4 dimensions");
}

TEST_CASE("pools: strides default to 1, ceil_mode, count_include_pad, tiling AveragePool") {
    const auto mp = load(single("MaxPool", {2, 7, 7}, [](pb::NodeProto& n) {
        set_ints(n, "kernel_shape", {3, 3});
        set_ints(n, "pads", {1, 1, 1, 1});
        set_ints(n, "strides", {2, 2});
        set_ints(n, "dilations", {1, 2});
        set_int(n, "ceil_mode", 1);
    }));
    const auto& m = layer_of<xddp::max_pool2d>(mp, "layer");
    CHECK(m.window().ceil_mode);
    CHECK(m.window().dilation == xddp::pair_t{1, 2});
    CHECK(mp[1].shape == xddp::shape_t{2, 4, 3});
    const auto unit = load(single("MaxPool", {2, 5, 5}, [](pb::NodeProto& n) { set_ints(n, "kernel_shape", {2, 2}); }));
    CHECK(unit[1].shape == xddp::shape_t{2, 4, 4});  // ONNX's default stride is 1, not the kernel

    auto avg = [](std::vector<std::int64_t> in, std::initializer_list<std::int64_t> kernel, bool pad) {
        return single("AveragePool", std::move(in), [&](pb::NodeProto& n) {
            set_ints(n, "kernel_shape", kernel);
            set_ints(n, "strides", kernel);
            if (pad) {
                set_ints(n, "pads", {1, 0, 0, 1});
                set_int(n, "count_include_pad", 1);
            }
        });
    };
    CHECK(layer_of<xddp::adaptive_avg_pool2d>(load(avg({3, 8, 6}, {4, 3}, false)), "layer").output_size() ==
          xddp::pair_t{2, 2});
    // The fixed kernel stays fixed: an input size that would change the adaptive windows is refused.
    auto tiled = load(avg({3, 8, 6}, {4, 3}, false));
    CHECK_ERROR(xddp::shape_error, tiled.set_input_shape({3, 16, 12}), "fixed kernel (4, 3)");
    const auto plain = load(avg({3, 8, 6}, {4, 3}, false), {.adaptive_pools = false});
    CHECK(layer_of<xddp::avg_pool2d>(plain, "layer").window().kernel == xddp::pair_t{4, 3});
    const auto padded = load(avg({3, 8, 7}, {2, 2}, true));
    const auto& a = layer_of<xddp::avg_pool2d>(padded, "layer");
    CHECK(a.options().count_include_pad);
    CHECK(a.window().pad_begin == xddp::pair_t{1, 0});
    CHECK(a.window().pad_end == xddp::pair_t{0, 1});
    CHECK(padded[1].shape == xddp::shape_t{3, 4, 4});
    CHECK(layer_of<xddp::avg_pool2d>(load(avg({3, 9, 9}, {2, 2}, false)), "layer").window().stride == xddp::pair_t{2, 2});

    CHECK_ERROR(xddp::unsupported_error, load(single("MaxPool", {2, 7, 7}, [](pb::NodeProto& n) {
                    set_ints(n, "kernel_shape", {2, 2});
                    set_ints(n, "pads", {2, 0, 0, 0});
                })), "exceeds half the kernel");
    CHECK_ERROR(xddp::format_error, load(single("MaxPool", {2, 7, 7}, [](pb::NodeProto&) {})), "kernel_shape");

    model_builder indices;
    indices.input("x", {2, 4, 4}).output("i");
    set_ints(indices.node("MaxPool", {"x"}, {"y", "i"}, "/pool/MaxPool"), "kernel_shape", {2, 2});
    CHECK_ERROR(xddp::unsupported_error, load(indices), "output 1 ('i')");
}

TEST_CASE("Gemm: transB = 0, alpha and beta are applied to the weights") {
    model_builder b;
    b.input("x", {4}).output("y");
    b.weight("B", {4, 3}).weight("C", {1, 3}, {1.0f, 2.0f, 3.0f});
    auto& n = b.node("Gemm", {"x", "B", "C"}, {"y"}, "/fc/Gemm");
    set_float(n, "alpha", 2.0f);
    set_float(n, "beta", 0.5f);
    const auto g = load(b);
    const auto& l = layer_of<xddp::linear>(g, "fc");
    const auto w = ramp(12);
    for (std::size_t o = 0; o < 3; ++o)
        for (std::size_t i = 0; i < 4; ++i) CHECK(l.weight()(o, i) == 2.0f * w[i * 3 + o]);
    CHECK(l.bias()(2) == 1.5f);
    const xt::xarray<float> x = {{1.0f, -2.0f, 0.5f, 3.0f}};
    const auto y = g(x);
    for (std::size_t o = 0; o < 3; ++o) {
        double expected = 0.5 * (o + 1.0);
        for (std::size_t i = 0; i < 4; ++i) expected += 2.0 * w[i * 3 + o] * x(0, i);
        CHECK(y(0, o) == doctest::Approx(expected).epsilon(1e-6));
    }
    set_int(n, "transA", 1);
    CHECK_ERROR(xddp::unsupported_error, load(b), "transA");
}

TEST_CASE("element-wise ops: Clip bounds by input or attribute, LeakyRelu, Elu, Dropout, Identity") {
    auto chain = [](int opset, const std::function<void(model_builder&)>& body) {
        model_builder b(opset);
        b.input("x", {3, 2, 2}).output("y");
        body(b);
        return load(b);
    };
    const auto relu_like = chain(11, [](model_builder& b) {
        b.weight("lo", {}, {0.0f});
        b.node("Clip", {"x", "lo", ""}, {"y"}, "/act/Clip");
    });
    CHECK(relu_like[1].layer->kind() == "relu");  // Clip(0, inf) is ReLU
    const auto by_attribute = chain(11, [](model_builder& b) {
        auto& n = b.node("Clip", {"x"}, {"y"}, "/act/Clip");
        set_float(n, "min", -1.0f);
        set_float(n, "max", 2.0f);
    });
    CHECK(layer_of<xddp::hardtanh>(by_attribute, "act").min_value == -1.0f);
    const auto leaky = chain(13, [](model_builder& b) { set_float(b.node("LeakyRelu", {"x"}, {"y"}, "/a/LeakyRelu"), "alpha", 0.2f); });
    CHECK(layer_of<xddp::leaky_relu>(leaky, "a").negative_slope == 0.2f);
    const auto elu = chain(13, [](model_builder& b) { b.node("Elu", {"x"}, {"y"}, "/a/Elu"); });
    CHECK(layer_of<xddp::elu>(elu, "a").alpha == 1.0f);
    const auto dropped = chain(13, [](model_builder& b) {
        b.weight("ratio", {}, {0.25f});
        b.node("Identity", {"x"}, {"i"}, "/id/Identity");
        b.node("Dropout", {"i", "ratio"}, {"y"}, "/drop/Dropout");
    });
    CHECK(dropped.size() == 2);  // Identity adds no node
    CHECK(layer_of<xddp::dropout>(dropped, "drop").probability == 0.25f);
    CHECK_ERROR(xddp::unsupported_error, chain(13, [](model_builder& b) {
                    b.weight("lo", {}, {3.0f}).weight("hi", {}, {1.0f});
                    b.node("Clip", {"x", "lo", "hi"}, {"y"}, "/act/Clip");
                }), "exceeds max");
}

TEST_CASE("Flatten and Reshape are views: a flatten node appears only where a layer needs one") {
    model_builder b;
    b.input("x", {2, 3, 3}, 0).output("y");
    set_int(b.node("Flatten", {"x"}, {"f"}, "/flatten/Flatten"), "axis", 1);
    b.node("Relu", {"f"}, {"y"}, "/act/Relu");
    const auto g = load(b);
    REQUIRE(g.size() == 3);  // input, act (on the unflattened tensor), then the flatten the output needs
    CHECK(g[1].name == "act");
    CHECK(g[1].shape == xddp::shape_t{2, 3, 3});
    CHECK(g[2].name == "flatten");
    CHECK(g[2].shape == xddp::shape_t{18});

    auto reshape_to = [](std::vector<std::int64_t> target, std::int64_t batch) {
        model_builder r;
        r.input("x", {2, 3, 4}, batch).output("y");
        r.int64_weight("shape", {static_cast<std::int64_t>(target.size())}, target);
        r.node("Reshape", {"x", "shape"}, {"r"}, "/Reshape");
        r.weight("w", {5, 2, 1, 1});
        r.node("Conv", {"r", "w"}, {"y"}, "/conv/Conv");
        return r;
    };
    CHECK(load(reshape_to({-1, 2, 3, 4}, 0)).size() == 2);  // the identity reshape is dropped
    CHECK(load(reshape_to({0, 2, 0, -1}, 0)).size() == 2);  // 0 copies the input extent
    CHECK(load(reshape_to({1, 2, 3, 4}, 1)).size() == 2);   // the batch size the model was exported with
    CHECK_ERROR(xddp::unsupported_error, load(reshape_to({1, 2, 3, 4}, 0)), "fixes the batch size");
    CHECK_ERROR(xddp::unsupported_error, load(reshape_to({-1, 2, 12, 1}, 0)), "only as flattened");
    CHECK_ERROR(xddp::format_error, load(reshape_to({-1, 5, 5, 1}, 0)), "cannot reshape");
    CHECK_ERROR(xddp::format_error, load(reshape_to({-1, 2, -1, 4}, 0)), "two -1");
    CHECK_ERROR(xddp::format_error, load(reshape_to({-1, 2, 3, std::int64_t{1} << 40}, 0)), "holds");

    // The target shape read off an initializer (decoded for Shape alone, then freed).
    model_builder like;
    like.input("x", {2, 3}, 1).output("y").weight("like", {1, 6});
    like.node("Shape", {"like"}, {"s"}, "/Shape");
    like.node("Reshape", {"x", "s"}, {"r"}, "/Reshape");
    like.node("Relu", {"r"}, {"y"}, "/act/Relu");
    const auto liked = load(like);
    CHECK(liked[liked.size() - 1].shape == xddp::shape_t{6});

    model_builder axis0;
    axis0.input("x", {4}).output("y");
    set_int(axis0.node("Flatten", {"x"}, {"y"}, "/Flatten"), "axis", 0);
    CHECK_ERROR(xddp::unsupported_error, load(axis0), "mixes the batch dimension");
}

TEST_CASE("initializers from float_data and from external data files inside the model's folder") {
    auto b = small_cnn();
    // float_data instead of raw_data.
    for (auto& t : *b.graph().mutable_initializer()) {
        if (t.data_type() != pb::TensorProto_DataType_FLOAT) continue;
        std::vector<float> v(t.raw_data().size() / 4);
        std::memcpy(v.data(), t.raw_data().data(), t.raw_data().size());
        t.clear_raw_data();
        for (float f : v) t.add_float_data(f);
    }
    std::mt19937 rng(3);
    const auto x = reference::random_array({2, 3, 8, 8}, rng);
    const auto expected = load(small_cnn())(x);
    CHECK(load(b)(x) == expected);

    // Every float initializer in one external file, PyTorch's save_as_external_data layout.
    const fs::path dir = fs::temp_directory_path() / "xddp_onnx_external";
    fs::remove_all(dir);
    fs::create_directories(dir / "data");
    auto external = small_cnn();
    std::string blob;
    for (auto& t : *external.graph().mutable_initializer()) {
        if (t.data_type() != pb::TensorProto_DataType_FLOAT) continue;
        auto* loc = t.add_external_data();
        loc->set_key("location");
        loc->set_value("data/weights.bin");
        auto* off = t.add_external_data();
        off->set_key("offset");
        off->set_value(std::to_string(blob.size()));
        auto* len = t.add_external_data();
        len->set_key("length");
        len->set_value(std::to_string(t.raw_data().size()));
        blob += t.raw_data();
        t.clear_raw_data();
        t.set_data_location(pb::TensorProto_DataLocation_EXTERNAL);
    }
    std::ofstream(dir / "data/weights.bin", std::ios::binary) << blob;
    auto write = [&](const model_builder& m) {
        std::ofstream(dir / "model.onnx", std::ios::binary) << m.bytes();
        return dir / "model.onnx";
    };
    CHECK(xddp::io::load_onnx(write(external))(x) == expected);
    CHECK_ERROR(xddp::format_error, xddp::io::load_onnx_from_memory(external.bytes()), "needs the model's folder");

    auto with_location = [&](const std::string& location) {
        auto m = external;
        m.graph().mutable_initializer(0)->mutable_external_data(0)->set_value(location);
        return write(m);
    };
    CHECK_ERROR(xddp::format_error, xddp::io::load_onnx(with_location("../secret.bin")), "leaves the model's folder");
    CHECK_ERROR(xddp::format_error, xddp::io::load_onnx(with_location("/etc/passwd")), "is absolute");
    CHECK_ERROR(xddp::io_error, xddp::io::load_onnx(with_location("data/missing.bin")), "does not exist");
    std::error_code ec;
    fs::create_directory_symlink(fs::temp_directory_path(), dir / "escape", ec);
    if (!ec)
        CHECK_ERROR(xddp::format_error, xddp::io::load_onnx(with_location("escape/weights.bin")),
                    "resolves outside the model's folder");

    auto truncated = external;
    truncated.graph().mutable_initializer(0)->mutable_external_data(2)->set_value("12");
    CHECK_ERROR(xddp::format_error, xddp::io::load_onnx(write(truncated)), "external data length is 12 bytes");
    auto past_end = external;
    past_end.graph().mutable_initializer(0)->mutable_external_data(1)->set_value(std::to_string(blob.size()));
    CHECK_ERROR(xddp::format_error, xddp::io::load_onnx(write(past_end)), "are needed at offset");
    fs::remove_all(dir);
}

TEST_CASE("broken models: each gives a format_error that says what is wrong") {
    using xddp::format_error;
    CHECK_ERROR(format_error, xddp::io::load_onnx_from_memory(std::string("\x93NUMPY not a model")), "not an ONNX model");

    auto wrong_size = small_cnn();
    wrong_size.graph().mutable_initializer(0)->mutable_raw_data()->resize(10);
    CHECK_ERROR(format_error, load(wrong_size), "initializer 'conv1.weight' has 10 bytes of raw_data");

    auto huge = small_cnn();
    huge.graph().mutable_initializer(0)->set_dims(0, std::int64_t{1} << 40);
    CHECK_ERROR(format_error, load(huge), "has dimension 1099511627776");
    auto many = small_cnn();
    for (int k = 0; k < 8; ++k) many.graph().mutable_initializer(1)->add_dims(1 << 20);
    CHECK_ERROR(format_error, load(many), "exceeds");

    auto huge_input = small_cnn();
    huge_input.graph().mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(2)->set_dim_value(
        std::int64_t{1} << 30);
    CHECK_ERROR(format_error, load(huge_input), "input 'input' has dimension 2");

    auto wide_input = small_cnn();
    auto* dims = wide_input.graph().mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
    dims->mutable_dim(1)->set_dim_value(1 << 20);
    dims->mutable_dim(2)->set_dim_value(1 << 20);
    CHECK_ERROR(format_error, load(wide_input), "more than");

    auto doubles = small_cnn();
    doubles.graph().mutable_initializer(0)->set_data_type(pb::TensorProto_DataType_DOUBLE);
    CHECK_ERROR(format_error, load(doubles), "data_type DOUBLE");

    auto missing = small_cnn();
    missing.graph().mutable_node(2)->set_input(0, "nowhere");
    CHECK_ERROR(format_error, load(missing), "reads 'nowhere', which no node, initializer or input provides");

    auto cycle = small_cnn();  // relu reads the conv2 output, conv2 (later) reads relu's via the pool
    cycle.graph().mutable_node(2)->set_input(0, "c2");
    CHECK_ERROR(format_error, load(cycle), "not in topological order or form a cycle");

    auto twice = small_cnn();
    twice.graph().mutable_node(3)->set_output(0, "r1");
    CHECK_ERROR(format_error, load(twice), "is produced twice");

    auto no_output = small_cnn();
    no_output.graph().mutable_output(0)->set_name("nothing");
    CHECK_ERROR(format_error, load(no_output), "no node produces the model output 'nothing'");

    auto no_opset = small_cnn();
    no_opset.model().clear_opset_import();
    CHECK_ERROR(format_error, load(no_opset), "opset_import");

    auto gemm = small_cnn();
    gemm.graph().mutable_initializer()->Mutable(10)->set_dims(1, 4);  // fc2.weight (3, 5) -> (3, 4)
    gemm.graph().mutable_initializer()->Mutable(10)->mutable_raw_data()->resize(48);
    CHECK_ERROR(format_error, load(gemm), "node '/fc2/Gemm' (Gemm, opset 13): weight B has shape (3, 4)");

    auto bn = small_cnn();
    bn.graph().mutable_initializer(2)->set_dims(0, 3);
    bn.graph().mutable_initializer(2)->mutable_raw_data()->resize(12);
    CHECK_ERROR(format_error, load(bn), "scale 'bn1.weight' has shape (3,), expected (4,)");

    auto pads = small_cnn();
    pads.graph().mutable_node(0)->mutable_attribute(1)->add_ints(1);
    CHECK_ERROR(format_error, load(pads), "'pads' has 5 values");

    auto nan = small_cnn();
    const float bad = std::nanf("");
    nan.graph().mutable_initializer(1)->mutable_raw_data()->replace(4, 4, reinterpret_cast<const char*>(&bad), 4);
    CHECK_ERROR(xddp::value_error, load(nan), "holds NaN at flat index 1");
}

TEST_CASE("unsupported models: an unsupported_error naming the node, its op type and the opset") {
    using xddp::unsupported_error;
    auto softsign = small_cnn();
    softsign.node("Softsign", {"logits"}, {"probabilities"}, "/softsign/Softsign");
    softsign.graph().mutable_output(0)->set_name("probabilities");
    CHECK_ERROR(unsupported_error, load(softsign), "node '/softsign/Softsign' (Softsign, opset 13): op type 'Softsign' is not supported");

    CHECK_ERROR(unsupported_error, load(small_cnn(9)), "opset 9");
    CHECK_ERROR(unsupported_error, load(small_cnn(18)), "opset 18");
    CHECK(load(small_cnn(11)).size() == 11);
    CHECK(load(small_cnn(17)).size() == 11);

    auto two_inputs = small_cnn();
    two_inputs.input("mask", {3, 8, 8});
    CHECK_ERROR(unsupported_error, load(two_inputs), "inputs 'input' and 'mask'");

    model_builder add;
    add.input("x", {2, 3, 3}).output("y");
    set_int(add.node("Flatten", {"x"}, {"f"}, "/Flatten"), "axis", 1);
    add.node("Add", {"x", "f"}, {"y"}, "/block/Add");
    CHECK_ERROR(unsupported_error, load(add), "no broadcasting");

    // A constant added per channel is a channel_scale's shift (ops/add.hpp); one per row is not.
    model_builder bias_on_conv;
    bias_on_conv.input("x", {2, 3, 3}).output("y").weight("w", {2, 2, 1, 1}).weight("b", {1, 3, 1});
    bias_on_conv.node("Conv", {"x", "w"}, {"c"}, "/conv/Conv");
    bias_on_conv.node("Add", {"c", "b"}, {"y"}, "/conv/Add");
    CHECK_ERROR(unsupported_error, load(bias_on_conv),
                "node '/conv/Add' (Add, opset 13): adds the constant 'b' of shape (1, 3, 1) to an activation; xddp imports that as "
                "the bias of the MatMul it follows, or as a shift per channel");

    model_builder domain;
    domain.input("x", {2}).output("y");
    domain.node("Gelu", {"x"}, {"y"}, "/act/Gelu").set_domain("com.microsoft");
    CHECK_ERROR(unsupported_error, load(domain), "domain 'com.microsoft'");

    model_builder dangling;
    dangling.input("x", {2, 3, 3}, 0).output("y");
    dangling.node("Relu", {"x"}, {"side"}, "/side/Relu");
    dangling.node("Shape", {"side"}, {"s"}, "/Shape");
    dangling.node("Reshape", {"x", "s"}, {"y"}, "/Reshape");
    CHECK_ERROR(unsupported_error, load(dangling), "does not feed the model output");
}

TEST_CASE("hostile models cannot make the import hold much more than the file") {
    // Each Concat doubles a constant: 40 of them would need 2^40 values.
    model_builder doubling;
    doubling.input("x", {2}).output("y");
    auto& first = doubling.node("Constant", {}, {"c0"}, "/Constant");
    auto* ints = first.add_attribute();
    ints->set_name("value_ints");
    ints->set_type(pb::AttributeProto_AttributeType_INTS);
    ints->add_ints(1);
    for (int k = 1; k <= 40; ++k) {
        const std::string in = numbered("c", k - 1);
        set_int(doubling.node("Concat", {in, in}, {numbered("c", k)}, numbered("/Concat_", k)), "axis", 0);
    }
    doubling.node("Reshape", {"x", "c40"}, {"y"}, "/Reshape");
    CHECK_ERROR(xddp::unsupported_error, load(doubling), "would exceed");

    // Each Unsqueeze adds 60 dimensions.
    model_builder deep;
    deep.input("x", {2}).output("y");
    std::string in = "x";
    for (int k = 0; k < 3; ++k) {
        const std::string out = numbered("u", k);
        auto& n = deep.node("Unsqueeze", {in}, {out}, numbered("/Unsqueeze_", k));
        auto* axes = n.add_attribute();
        axes->set_name("axes");
        axes->set_type(pb::AttributeProto_AttributeType_INTS);
        for (int a = 1; a <= 60; ++a) axes->add_ints(a);
        in = out;
    }
    deep.node("Relu", {in}, {"y"}, "/Relu");
    CHECK_ERROR(xddp::unsupported_error, load(deep), "more than 64");

    // Thousands of nodes with one name get distinct names, quickly.
    model_builder same;
    same.input("x", {2}).output("r3999");
    for (int k = 0; k < 4000; ++k)
        same.node("Relu", {k ? numbered("r", k - 1) : "x"}, {numbered("r", k)}, "/act/Relu");
    const auto g = load(same);
    CHECK(g[1].name == "act");
    CHECK(g[4000].name == "act_3999");
}

TEST_CASE("truncated and corrupted files never crash: every outcome is a model or an xddp::error") {
    // Truncating a real model anywhere loses its opset_import (the last field) or breaks the message.
    std::ifstream in(shared_dir() / "golden/ddp/tiny_resnet/model.onnx", std::ios::binary);
    const std::string golden((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(golden.size() > 1000);
    for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{17}, golden.size() / 3, golden.size() / 2,
                            golden.size() - 200, golden.size() - 1})
        CHECK_THROWS_AS(xddp::io::load_onnx_from_memory(std::string_view(golden).substr(0, cut)), xddp::format_error);

    const std::string seed = small_cnn().bytes();
    std::mt19937 rng(2024);
    std::size_t loaded = 0, rejected = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        std::vector<char> bytes(seed.begin(), seed.end());
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = rng() % bytes.size();
            const auto pos = bytes.begin() + static_cast<std::ptrdiff_t>(at);
            switch (rng() % 3) {
                case 0: bytes[at] = static_cast<char>(rng()); break;
                case 1: bytes.erase(pos, pos + static_cast<std::ptrdiff_t>(std::min<std::size_t>(1 + rng() % 8, bytes.size() - at))); break;
                default: bytes.insert(pos, static_cast<char>(rng())); break;
            }
            if (bytes.empty()) bytes.push_back('x');
        }
        try {
            const auto g = xddp::io::load_onnx_from_memory(bytes);
            ++loaded;
        } catch (const xddp::error&) {
            ++rejected;
        }
    }
    MESSAGE("corrupted small_cnn: " << loaded << " loaded, " << rejected << " rejected");
    CHECK(loaded + rejected == 3000);
}
