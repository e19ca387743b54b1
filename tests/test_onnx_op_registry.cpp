// The ONNX importer's op table (io/onnx/op_registry.hpp): a program imports an op type xddp does not know
// by registering an importer for it from outside the library, may replace a built-in one, and an op type
// without an importer stays an unsupported_error that names the node and its op type.

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include <xddp/io/onnx.hpp>

#include "check_error.hpp"
#include "onnx_load.hpp"
#include "test_onnx_builder.hpp"
#include "user_layer.hpp"

using namespace onnx_test;
using xddp::io::onnx_import_context;

namespace {


// What a program outside xddp writes: UserScale(x, factor) -> its own user_scale_layer, element-wise.
void import_user_scale(onnx_import_context& ctx, const onnx::NodeProto& n) {
    ctx.import_elementwise(n, [&] { return user_scale_layer{ctx.attributes(n).finite_real("factor", 2.0f)}; });
}

// Conv -> UserScale (in `domain`) -> Flatten -> Gemm on an (N, 2, 3, 3) input, or the Conv alone.
model_builder scaled_model(const std::string& domain = "", bool conv_only = false) {
    model_builder b;
    b.input("x", {2, 3, 3}, 0).output(conv_only ? "c" : "y");
    b.weight("w", {4, 2, 3, 3}).weight("fc.weight", {5, 4});
    b.node("Conv", {"x", "w"}, {"c"}, "/conv/Conv");
    if (conv_only) return b;
    auto& scale = b.node("UserScale", {"c"}, {"s"}, "/scale/UserScale");
    scale.set_domain(domain);
    set_float(scale, "factor", 0.5f);
    set_int(b.node("Flatten", {"s"}, {"f"}, "/Flatten"), "axis", 1);
    set_int(b.node("Gemm", {"f", "fc.weight"}, {"y"}, "/fc/Gemm"), "transB", 1);
    return b;
}

model_builder one_node(const std::string& op) {
    model_builder b;
    b.input("x", {4}).output("y");
    b.node(op, {"x"}, {"y"}, "/act/" + op);
    return b;
}

}  // namespace

TEST_CASE("an importer registered outside xddp imports an op type xddp does not know") {
    CHECK_ERROR(xddp::unsupported_error, load(scaled_model()),
                "node '/scale/UserScale' (UserScale, opset 13): op type 'UserScale' is not supported");
    CHECK_FALSE(xddp::io::register_onnx_op("UserScale", import_user_scale));  // false: there was none
    const xddp::graph g = load(scaled_model());
    REQUIRE(g.size() == 4);  // input, conv, scale, fc: the Flatten before Gemm is a view
    CHECK(g[2].name == "scale");
    REQUIRE(g[2].layer->get_if<user_scale_layer>());
    CHECK(g[2].layer->get_if<user_scale_layer>()->factor == 0.5f);
    CHECK(g[3].name == "fc");

    // Its forward pass is the conv's, halved.
    xt::xarray<float> x = xt::zeros<float>({1, 2, 3, 3});
    const auto values = ramp(x.size(), 0.1f);
    std::copy(values.begin(), values.end(), x.data());
    const auto activations = g.forward(x, xddp::keep::all);
    const xt::xarray<float> expected = 0.5f * load(scaled_model("", true))(x);
    CHECK(activations[2] == expected);
}

TEST_CASE("an importer registered for a domain imports that domain's op type, and only that one") {
    CHECK_ERROR(xddp::unsupported_error, load(scaled_model("com.example")), "operators of domain 'com.example' are not supported");
    xddp::io::register_onnx_op("UserScale", import_user_scale, "com.example");
    CHECK(load(scaled_model("com.example")).size() == 4);
    CHECK_ERROR(xddp::unsupported_error, load(scaled_model("org.other")), "operators of domain 'org.other' are not supported");
}

TEST_CASE("an op type without an importer is an unsupported_error naming the node, the op and what is imported") {
    CHECK_ERROR(xddp::unsupported_error, load(one_node("Softsign")),
                "<memory>: node '/act/Softsign' (Softsign, opset 13): op type 'Softsign' is not supported; "
                "xddp imports Add, AveragePool, BatchNormalization, ");
    CHECK_ERROR(xddp::unsupported_error, load(one_node("Softsign")), ", Unsqueeze");
}

TEST_CASE("register_onnx_op replaces a built-in importer; two built-in importers for one op type are a bug") {
    struct restore_relu {
        ~restore_relu() { xddp::io::register_onnx_op("Relu", xddp::io::onnx_detail::import_relu); }
    } restore;
    CHECK(load(one_node("Relu"))[1].layer->get_if<xddp::relu>());
    CHECK(xddp::io::register_onnx_op("Relu", import_user_scale));  // true: it replaced one
    CHECK(load(one_node("Relu"))[1].layer->get_if<user_scale_layer>());

    CHECK_ERROR(std::logic_error, xddp::io::onnx_detail::register_builtin_op({"Conv"}, import_user_scale),
                "two built-in ONNX importers for op type 'Conv'");
}

TEST_CASE("an importer that sets no output is reported, not left for the next node to trip over") {
    xddp::io::register_onnx_op("UserForgetful", [](onnx_import_context& ctx, const onnx::NodeProto& n) { ctx.expect_inputs(n, 1, 1); });
    CHECK_ERROR(std::logic_error, load(one_node("UserForgetful")),
                "node '/act/UserForgetful' (UserForgetful, opset 13): the importer of op type 'UserForgetful' set no output");
}
