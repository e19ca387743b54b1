// Writes the fuzzer's ONNX seeds into the folder given as its argument: the importer tests' small CNN
// (every op family and the shape plumbing) at several opsets, and variants with float_data weights,
// an AveragePool, a Flatten and the Add of a residual block.

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "test_onnx_builder.hpp"

namespace fs = std::filesystem;
using namespace onnx_test;

namespace {

void write(const fs::path& folder, const std::string& name, const model_builder& b) {
    std::ofstream out(folder / name, std::ios::binary);
    out << b.bytes();
    if (!out) {
        std::cerr << "make_onnx_seeds: cannot write " << (folder / name) << "\n";
        std::exit(1);
    }
}

model_builder residual() {
    model_builder b;
    b.input("x", {2, 4, 4}, 0).output("y");
    b.weight("w", {2, 2, 3, 3}).weight("fc.weight", {3, 8}).weight("fc.bias", {3});
    auto& c = b.node("Conv", {"x", "w"}, {"c"}, "/block/conv/Conv");
    set_ints(c, "pads", {1, 1, 1, 1});
    b.node("LeakyRelu", {"c"}, {"l"}, "/block/act/LeakyRelu");
    b.node("Add", {"x", "l"}, {"a"}, "/block/Add");
    auto& p = b.node("AveragePool", {"a"}, {"p"}, "/pool/AveragePool");
    set_ints(p, "kernel_shape", {2, 2});
    set_ints(p, "strides", {2, 2});
    b.node("Elu", {"p"}, {"e"}, "/act/Elu");
    set_int(b.node("Flatten", {"e"}, {"f"}, "/Flatten"), "axis", 1);
    set_int(b.node("Gemm", {"f", "fc.weight", "fc.bias"}, {"y"}, "/fc/Gemm"), "transB", 1);
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_onnx_seeds FOLDER\n";
        return 2;
    }
    const fs::path folder = argv[1];
    fs::create_directories(folder);
    for (int opset : {11, 13, 17}) write(folder, std::string("small_cnn_opset").append(std::to_string(opset)).append(".onnx"), small_cnn(opset));
    auto floats = small_cnn();
    for (auto& t : *floats.graph().mutable_initializer()) {
        if (t.data_type() != pb::TensorProto_DataType_FLOAT) continue;
        std::vector<float> v(t.raw_data().size() / 4);
        std::memcpy(v.data(), t.raw_data().data(), t.raw_data().size());
        t.clear_raw_data();
        for (float f : v) t.add_float_data(f);
    }
    write(folder, "small_cnn_float_data.onnx", floats);
    write(folder, "residual.onnx", residual());
    return 0;
}
