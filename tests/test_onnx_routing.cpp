// The ONNX importers of the routing and pooling ops of modern CNNs (specs/ddp.md section 9): Concat of
// activations, Split and Slice along channels (with the shape plumbing torch's chunk exports: Shape, Gather,
// Add, Div, Mul), the channel shuffle Reshape -> Transpose -> Reshape, ReduceMean / ReduceMax as global
// pooling and a zero Pad folded into the Conv or AveragePool after it. Each import is checked against a
// naive computation of what ONNX means, and every pattern that is not recognised exactly must be an
// unsupported_error naming the node.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <xddp/io/onnx.hpp>
#include <xddp/xddp.hpp>

#include "check_error.hpp"
#include "reference_layers.hpp"
#include "onnx_load.hpp"
#include "test_onnx_builder.hpp"

using namespace onnx_test;

namespace {


xt::xarray<float> input_for(const xddp::graph& g, unsigned seed) {
    xddp::shape_t shape{1};
    shape.insert(shape.end(), g.input_shape().begin(), g.input_shape().end());
    std::mt19937 rng(seed);
    return reference::random_array(shape, rng);
}

// x[0, c, p] of a (1, C, ...) array seen as (C, P).
float at(const xt::xarray<float>& a, std::size_t c, std::size_t p) {
    const std::size_t positions = a.size() / a.shape()[1];
    return a.data()[c * positions + p];
}

// The model output for input x, and whether channel c of it is channel source(c) of x (positions kept).
template <class Source>
void check_routed(const xddp::graph& g, const xt::xarray<float>& x, std::size_t channels, Source source) {
    const xt::xarray<float> y = g.forward(x).output();
    REQUIRE(y.shape()[1] == channels);
    const std::size_t positions = y.size() / channels;
    for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t p = 0; p < positions; ++p) CHECK(at(y, c, p) == at(x, source(c), p));
}

pb::NodeProto& concat(model_builder& b, std::initializer_list<std::string> in, const std::string& out, std::int64_t axis,
                      const std::string& name = "/cat/Concat") {
    return set_int(b.node("Concat", in, {out}, name), "axis", axis);
}

}  // namespace

TEST_CASE("ONNX Concat of activations along the channels is a concat layer; other axes are refused") {
    model_builder b;
    b.input("x", {3, 4, 4}).output("y").weight("w", {2, 3, 1, 1});
    b.node("Conv", {"x", "w"}, {"c"}, "/conv/Conv");
    b.node("Relu", {"c"}, {"r"}, "/relu/Relu");
    concat(b, {"x", "r", "x"}, "y", -3);
    const auto g = load(b);
    const auto id = g.find("cat.concat");
    REQUIRE(id);
    CHECK(g[*id].layer->kind() == "concat");
    CHECK(g[*id].inputs == std::vector<xddp::node_id>{0, *g.find("relu"), 0});
    CHECK(g[*id].shape == xddp::shape_t{8, 4, 4});
    const auto x = input_for(g, 1);
    const auto acts = g.forward(x, xddp::keep::all);
    const xt::xarray<float>& y = acts.output();
    const xt::xarray<float>& r = acts.values[*g.find("relu")];
    for (std::size_t p = 0; p < 16; ++p) {
        for (std::size_t c = 0; c < 3; ++c) {
            CHECK(at(y, c, p) == at(x, c, p));
            CHECK(at(y, 5 + c, p) == at(x, c, p));
        }
        for (std::size_t c = 0; c < 2; ++c) CHECK(at(y, 3 + c, p) == at(r, c, p));
    }

    // Vectors (N, C) too: a flattened view joins as a flatten node.
    model_builder v;
    v.input("x", {2, 2, 2}).output("y");
    set_int(v.node("Flatten", {"x"}, {"f"}, "/Flatten"), "axis", 1);
    concat(v, {"f", "f"}, "y", 1);
    const auto vg = load(v);
    CHECK(vg[vg.output()].shape == xddp::shape_t{16});

    model_builder along_h;
    along_h.input("x", {3, 4, 4}).output("y");
    concat(along_h, {"x", "x"}, "y", 2);
    CHECK_ERROR(xddp::unsupported_error, load(along_h), "node '/cat/Concat' (Concat, opset 13): joins activations of shape (N, 3, 4, 4) along axis 2");
    model_builder mixed;
    mixed.input("x", {3, 4, 4}).output("y").weight("k", {1, 1, 4, 4});
    concat(mixed, {"x", "k"}, "y", 1);
    CHECK_ERROR(xddp::unsupported_error, load(mixed), "node '/cat/Concat' (Concat, opset 13): joins activations and the constant 'k'");
    model_builder mismatch;
    mismatch.input("x", {3, 4, 4}).output("y").weight("w", {2, 3, 2, 2});
    mismatch.node("Conv", {"x", "w"}, {"c"}, "/conv/Conv");
    concat(mismatch, {"x", "c"}, "y", 1);
    CHECK_ERROR(xddp::format_error, load(mismatch), "concat: input 1 has shape");
}

TEST_CASE("ONNX Split along the channels gives one channel_slice per output that is read") {
    for (const int opset : {11, 13}) {
        model_builder b(opset);
        b.input("x", {5, 3, 3}).output("y");
        auto& split = b.node("Split", opset >= 13 ? std::initializer_list<std::string>{"x", "sizes"}
                                                  : std::initializer_list<std::string>{"x"},
                             {"s0", "s1", "s2"}, "/block/Split");
        set_int(split, "axis", 1);
        if (opset >= 13) b.int64_weight("sizes", {3}, {1, 3, 1});
        else set_ints(split, "split", {1, 3, 1});
        concat(b, {"s2", "s1"}, "y", 1);  // s0 is read by no one: no node for it
        const auto g = load(b);
        CHECK(layer_of<xddp::channel_slice>(g, "block.split1").begin() == 1);
        CHECK(layer_of<xddp::channel_slice>(g, "block.split1").channels() == 3);
        CHECK(layer_of<xddp::channel_slice>(g, "block.split2").begin() == 4);
        CHECK_FALSE(g.find("block.split0"));
        check_routed(g, input_for(g, 2), 4, [](std::size_t c) { return c == 0 ? std::size_t{4} : c; });
    }
    model_builder halves;  // no sizes: equal parts
    halves.input("x", {4, 2, 2}).output("y");
    set_int(halves.node("Split", {"x"}, {"a", "b"}, "/Split"), "axis", -3);
    concat(halves, {"b", "a"}, "y", 1);
    check_routed(load(halves), input_for(load(halves), 3), 4, [](std::size_t c) { return (c + 2) % 4; });

    model_builder along_w;
    along_w.input("x", {4, 2, 2}).output("y");
    set_int(along_w.node("Split", {"x"}, {"a", "b"}, "/Split"), "axis", 3);
    concat(along_w, {"b", "a"}, "y", 1);
    CHECK_ERROR(xddp::unsupported_error, load(along_w), "node '/Split' (Split, opset 13): splits (N, 4, 2, 2) along axis 3");
}

TEST_CASE("ONNX Slice along the channels, with torch's chunk plumbing, is a channel_slice; other slices are refused") {
    // x.chunk(2, dim=1) as torch 1.13 exports it at opset 13: the split point (C + 1) / 2 from Shape.
    model_builder b;
    b.input("x", {5, 2, 3}).output("y");
    b.int64_weight("one", {1}, {1}).int64_weight("zero", {1}, {0}).int64_weight("two", {1}, {2});
    b.node("Shape", {"x"}, {"shape"}, "/Shape");
    set_int(b.node("Gather", {"shape", "one"}, {"c"}, "/Gather"), "axis", 0);
    b.node("Add", {"c", "one"}, {"c1"}, "/Add");
    b.node("Div", {"c1", "two"}, {"half"}, "/Div");
    b.node("Mul", {"half", "one"}, {"mid"}, "/Mul");
    b.node("Mul", {"half", "two"}, {"end"}, "/Mul_1");
    b.node("Slice", {"x", "zero", "mid", "one"}, {"first"}, "/Slice");
    b.node("Slice", {"x", "mid", "end", "one"}, {"second"}, "/Slice_1");
    // b[:, 1:] written with torch's huge end, and x[:, -2:] with a negative start, steps given.
    b.int64_weight("big", {1}, {std::numeric_limits<std::int64_t>::max()}).int64_weight("minus_two", {1}, {-2});
    b.node("Slice", {"second", "one", "big", "one", "one"}, {"tail"}, "/Slice_2");
    b.node("Slice", {"x", "minus_two", "big", "one", "one"}, {"last"}, "/Slice_3");
    concat(b, {"tail", "first", "last"}, "y", 1);
    const auto g = load(b);
    CHECK(layer_of<xddp::channel_slice>(g, "Slice").channels() == 3);          // channels [0, 3)
    CHECK(layer_of<xddp::channel_slice>(g, "Slice_1").begin() == 3);           // [3, 5): 2 of them
    CHECK(layer_of<xddp::channel_slice>(g, "Slice_1").channels() == 2);
    CHECK(layer_of<xddp::channel_slice>(g, "Slice_3").begin() == 3);
    // y = x[4], x[0..2], x[3..4]
    const std::vector<std::size_t> want{4, 0, 1, 2, 3, 4};
    check_routed(g, input_for(g, 4), 6, [&](std::size_t c) { return want[c]; });

    // A slice of everything is no node at all.
    model_builder all;
    all.input("x", {3, 2, 2}).output("y").int64_weight("zero", {1}, {0}).int64_weight("one", {1}, {1}).int64_weight("ten", {1}, {10});
    all.node("Slice", {"x", "zero", "ten", "one"}, {"y"}, "/Slice");
    CHECK(load(all).size() == 1);

    auto refused = [](std::vector<std::int64_t> start, std::vector<std::int64_t> end, std::vector<std::int64_t> axes,
                      std::vector<std::int64_t> steps) {
        model_builder m;
        m.input("x", {6, 4, 4}).output("y");
        const auto n = static_cast<std::int64_t>(start.size());
        m.int64_weight("s", {n}, start).int64_weight("e", {n}, end).int64_weight("a", {n}, axes).int64_weight("t", {n}, steps);
        m.node("Slice", {"x", "s", "e", "a", "t"}, {"y"}, "/Slice");
        return m;
    };
    CHECK_ERROR(xddp::unsupported_error, load(refused({0}, {6}, {1}, {2})),
                "node '/Slice' (Slice, opset 13): slices the channels with step 2");
    CHECK_ERROR(xddp::unsupported_error, load(refused({1}, {3}, {2}, {1})), "node '/Slice' (Slice, opset 13): slices axis 2");
    CHECK_ERROR(xddp::unsupported_error, load(refused({0}, {1}, {0}, {1})), "slices the batch dimension");
    CHECK_ERROR(xddp::unsupported_error, load(refused({4}, {2}, {1}, {1})), "is empty");
    const auto whole_w = load(refused({0, 1}, {8, 3}, {3, 1}, {1, 1}));  // all of W: fine
    CHECK(whole_w[whole_w.output()].shape == xddp::shape_t{2, 4, 4});
    CHECK_ERROR(xddp::format_error, load(refused({0}, {1}, {1}, {0})), "step 0");

    model_builder sub;
    sub.input("x", {3, 2, 2}).output("y").weight("k", {1}, {1.0f});
    sub.node("Sub", {"x", "k"}, {"y"}, "/Sub");
    CHECK_ERROR(xddp::unsupported_error, load(sub), "node '/Sub' (Sub, opset 13): Sub of an activation is not supported");
}

namespace {

// torchvision's channel_shuffle at opset 13: Reshape (1, g, C/g, H, W) -> Transpose -> Reshape (1, -1, H, W).
model_builder shuffle_model(std::int64_t groups, std::initializer_list<std::int64_t> perm) {
    model_builder b;
    b.input("x", {6, 2, 3}).output("y");
    b.int64_weight("split_shape", {5}, {1, groups, 6 / groups, 2, 3}).int64_weight("back", {4}, {1, -1, 2, 3});
    b.node("Reshape", {"x", "split_shape"}, {"v"}, "/Reshape");
    set_ints(b.node("Transpose", {"v"}, {"t"}, "/Transpose"), "perm", perm);
    b.node("Reshape", {"t", "back"}, {"y"}, "/Reshape_1");
    return b;
}

}  // namespace

TEST_CASE("ONNX channel shuffle (Reshape, Transpose, Reshape) is one channel_shuffle; other Transposes are refused") {
    for (const std::int64_t groups : {2, 3}) {
        const auto g = load(shuffle_model(groups, {0, 2, 1, 3, 4}));
        REQUIRE(g.size() == 2);
        CHECK(layer_of<xddp::channel_shuffle>(g, "Transpose").groups() == static_cast<std::size_t>(groups));
        // y[k * g + group] = x[group * (C / g) + k], from the 5-D index arithmetic of the three ops.
        const std::size_t gs = static_cast<std::size_t>(groups), per = 6 / gs;
        check_routed(g, input_for(g, 5), 6, [&](std::size_t c) { return c % gs * per + c / gs; });
    }
    CHECK_ERROR(xddp::unsupported_error, load(shuffle_model(2, {0, 1, 2, 4, 3})),
                "node '/Transpose' (Transpose, opset 13): transposes (N, 2, 3, 2, 3)");
    model_builder plain;
    plain.input("x", {6, 2, 3}).output("y");
    set_ints(plain.node("Transpose", {"x"}, {"y"}, "/Transpose"), "perm", {0, 2, 3, 1});
    CHECK_ERROR(xddp::unsupported_error, load(plain), "node '/Transpose' (Transpose, opset 13): transposes (N, 6, 2, 3)");
    // A split of H, not of the channels, is no shuffle either.
    model_builder h;
    h.input("x", {6, 2, 3}).output("y").int64_weight("s", {5}, {1, 6, 2, 1, 3});
    h.node("Reshape", {"x", "s"}, {"v"}, "/Reshape");
    set_ints(h.node("Transpose", {"v"}, {"y"}, "/Transpose"), "perm", {0, 2, 1, 3, 4});
    CHECK_ERROR(xddp::unsupported_error, load(h), "node '/Transpose'");
}

TEST_CASE("ONNX ReduceMean and ReduceMax over (2, 3) are global pools; other axes are refused") {
    model_builder b;
    b.input("x", {3, 4, 5}).output("y");
    set_int(set_ints(b.node("ReduceMean", {"x"}, {"m"}, "/ReduceMean"), "axes", {-1, 2}), "keepdims", 0);
    set_ints(b.node("ReduceMax", {"x"}, {"x_max"}, "/ReduceMax"), "axes", {2, 3});
    set_int(b.node("Flatten", {"x_max"}, {"mf"}, "/Flatten"), "axis", 1);
    b.node("Add", {"m", "mf"}, {"y"}, "/Add");
    const auto g = load(b);
    CHECK(layer_of<xddp::adaptive_avg_pool2d>(g, "ReduceMean").output_size() == xddp::pair_t{1, 1});
    CHECK(layer_of<xddp::max_pool2d>(g, "ReduceMax").window().kernel == xddp::pair_t{4, 5});
    const auto x = input_for(g, 6);
    const xt::xarray<float> y = g.forward(x).output();
    REQUIRE(y.shape() == std::vector<std::size_t>{1, 3});
    for (std::size_t c = 0; c < 3; ++c) {
        float sum = 0.0f, max = at(x, c, 0);
        for (std::size_t p = 0; p < 20; ++p) {
            sum += at(x, c, p);
            max = std::max(max, at(x, c, p));
        }
        CHECK(y(0, c) == doctest::Approx(sum / 20.0f + max).epsilon(1e-6));
    }
    model_builder channels;
    channels.input("x", {3, 4, 5}).output("y");
    set_ints(channels.node("ReduceMean", {"x"}, {"y"}, "/ReduceMean"), "axes", {1});
    CHECK_ERROR(xddp::unsupported_error, load(channels),
                "node '/ReduceMean' (ReduceMean, opset 13): reduces (N, 3, 4, 5) over axes (1,)");
    model_builder every;
    every.input("x", {3, 4, 5}).output("y");
    every.node("ReduceMax", {"x"}, {"y"}, "/ReduceMax");
    CHECK_ERROR(xddp::unsupported_error, load(every), "over axes all");
}

namespace {

// x -> Pad(pads, mode, value) -> op, with op's own attributes set by `attrs`.
model_builder padded(const std::string& op, std::vector<std::int64_t> pads, const std::function<void(pb::NodeProto&)>& attrs,
                     const std::string& mode = "constant", float value = 0.0f) {
    model_builder b;
    b.input("x", {2, 5, 6}).output("y").weight("w", {3, 2, 3, 3}).weight("value", {}, {value});
    b.int64_weight("pads", {8}, pads);
    auto& pad = b.node("Pad", {"x", "pads", "value"}, {"p"}, "/pad/Pad");
    if (mode != "constant") set_string(pad, "mode", mode);
    if (op == "Conv") attrs(b.node("Conv", {"p", "w"}, {"y"}, "/conv/Conv"));
    else attrs(b.node(op, {"p"}, {"y"}, "/pool/" + op));
    return b;
}

void kernel3(pb::NodeProto& n) { set_ints(n, "kernel_shape", {3, 3}); }

}  // namespace

TEST_CASE("ONNX zero Pad before a Conv or an AveragePool is folded into its padding, the divisor kept right") {
    // Conv: the same as the Conv with those pads.
    const auto folded = load(padded("Conv", {0, 0, 1, 2, 0, 0, 0, 1}, kernel3));
    REQUIRE(folded.size() == 2);
    const auto& c = layer_of<xddp::conv2d>(folded, "conv");
    CHECK(c.window().pad_begin == xddp::pair_t{1, 2});
    CHECK(c.window().pad_end == xddp::pair_t{0, 1});
    const auto x = input_for(folded, 7);
    const xt::xarray<float> y = folded.forward(x).output();
    xddp::conv2d same({.in_channels = 2, .out_channels = 3, .kernel = {3, 3}, .padding = {1, 2}, .padding_end = xddp::pair_t{0, 1}});
    std::copy(c.weight().begin(), c.weight().end(), same.weight().begin());
    CHECK(reference::allclose(y, reference::conv2d(same, x), 1e-5, 1e-6));

    // AveragePool after torch's Pad of AvgPool2d(3, 1, padding=1, count_include_pad=True): every window divides by 9.
    const auto avg = load(padded("AveragePool", {0, 0, 1, 1, 0, 0, 1, 1}, [](pb::NodeProto& n) {
        kernel3(n);
        set_ints(n, "pads", {0, 0, 0, 0});
    }));
    const auto& a = layer_of<xddp::avg_pool2d>(avg, "pool");
    CHECK(a.options().count_include_pad);
    const xt::xarray<float> ya = avg.forward(x).output();
    REQUIRE(ya.shape() == std::vector<std::size_t>{1, 2, 5, 6});
    for (std::size_t ch = 0; ch < 2; ++ch)
        for (std::ptrdiff_t i = 0; i < 5; ++i)
            for (std::ptrdiff_t j = 0; j < 6; ++j) {
                float sum = 0.0f;
                for (std::ptrdiff_t r = i - 1; r <= i + 1; ++r)
                    for (std::ptrdiff_t q = j - 1; q <= j + 1; ++q)
                        if (r >= 0 && r < 5 && q >= 0 && q < 6) sum += x(0, ch, r, q);
                CHECK(ya(0, ch, i, j) == doctest::Approx(sum / 9.0f).epsilon(1e-6));
            }
    // Its own pads counted too (count_include_pad = 1): all of the padding counts.
    const auto both = load(padded("AveragePool", {0, 0, 1, 0, 0, 0, 0, 0}, [](pb::NodeProto& n) {
        kernel3(n);
        set_ints(n, "pads", {0, 1, 1, 1});
        set_int(n, "count_include_pad", 1);
    }));
    CHECK(layer_of<xddp::avg_pool2d>(both, "pool").window().pad_begin == xddp::pair_t{1, 1});
    CHECK(layer_of<xddp::avg_pool2d>(both, "pool").window().pad_end == xddp::pair_t{1, 1});

    using xddp::unsupported_error;
    CHECK_ERROR(unsupported_error, load(padded("MaxPool", {0, 0, 1, 1, 0, 0, 1, 1}, kernel3)),
                "node '/pool/MaxPool' (MaxPool, opset 13): reads the zero Pad '/pad/Pad'; a max pool pads with -inf");
    CHECK_ERROR(unsupported_error, load(padded("Relu", {0, 0, 1, 1, 0, 0, 1, 1}, [](pb::NodeProto&) {})),
                "node '/pool/Relu' (Relu, opset 13): reads the zero Pad '/pad/Pad'; xddp folds a zero Pad only into the Conv or AveragePool");
    CHECK_ERROR(unsupported_error, load(padded("Conv", {0, 0, 1, 1, 0, 0, 1, 1}, kernel3, "reflect")), "mode 'reflect'");
    CHECK_ERROR(unsupported_error, load(padded("Conv", {0, 0, 1, 1, 0, 0, 1, 1}, kernel3, "constant", 1.0f)),
                "pads with the value 1");
    CHECK_ERROR(unsupported_error, load(padded("Conv", {0, 1, 1, 1, 0, 0, 1, 1}, kernel3)), "on axes other than H and W");
    CHECK_ERROR(unsupported_error, load(padded("Conv", {0, 0, -1, 0, 0, 0, 0, 0}, kernel3)), "no cropping");
    CHECK_ERROR(unsupported_error, load(padded("AveragePool", {0, 0, 1, 1, 0, 0, 1, 1}, [](pb::NodeProto& n) {
                    kernel3(n);
                    set_ints(n, "pads", {1, 1, 1, 1});
                })), "without count_include_pad after a zero Pad");
    CHECK_ERROR(unsupported_error, load(padded("AveragePool", {0, 0, 1, 1, 0, 0, 1, 1}, [](pb::NodeProto& n) {
                    kernel3(n);
                    set_int(n, "ceil_mode", 1);
                })), "ceil_mode after a zero Pad");

    model_builder twice;  // one Pad read by two Convs
    twice.input("x", {2, 5, 6}).output("y").weight("w", {2, 2, 3, 3}).int64_weight("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1});
    twice.node("Pad", {"x", "pads"}, {"p"}, "/pad/Pad");
    twice.node("Conv", {"p", "w"}, {"a"}, "/a/Conv");
    twice.node("Conv", {"p", "w"}, {"b"}, "/b/Conv");
    twice.node("Add", {"a", "b"}, {"y"}, "/Add");
    CHECK_ERROR(unsupported_error, load(twice), "node '/pad/Pad' (Pad, opset 13): its output 'p' is read 2 times");
    model_builder last;  // the padded tensor as the model output
    last.input("x", {2, 5, 6}).output("p").int64_weight("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1});
    last.node("Pad", {"x", "pads"}, {"p"}, "/pad/Pad");
    CHECK_ERROR(unsupported_error, load(last), "a zero Pad folded into the one Conv or AveragePool that reads it");
}
