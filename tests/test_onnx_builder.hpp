#pragma once
// Hand-made ONNX models for the importer's tests and the fuzzer's seeds, built with the protobuf API the
// way an exporter writes them (PyTorch-style node names, raw_data initializers, opset 13 by default).

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include <xddp/io/onnx/tensor.hpp>

namespace onnx_test {

namespace pb = xddp::io::onnx_detail::pb;

inline void set_dims(pb::TensorProto& t, const std::vector<std::int64_t>& dims) {
    for (std::int64_t d : dims) t.add_dims(d);
}

inline pb::TensorProto float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                                    const std::vector<float>& values) {
    pb::TensorProto t;
    t.set_name(name);
    t.set_data_type(pb::TensorProto_DataType_FLOAT);
    set_dims(t, dims);
    t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    return t;
}

inline pb::TensorProto int64_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                                    const std::vector<std::int64_t>& values) {
    pb::TensorProto t;
    t.set_name(name);
    t.set_data_type(pb::TensorProto_DataType_INT64);
    set_dims(t, dims);
    t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(std::int64_t)));
    return t;
}

// Values 0.01 * ((k * 37) % 101 - 50): deterministic, mixed signs, no two neighbours equal.
inline std::vector<float> ramp(std::size_t n, float scale = 0.01f) {
    std::vector<float> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = scale * static_cast<float>(static_cast<int>((k * 37) % 101) - 50);
    return v;
}

class model_builder {
public:
    explicit model_builder(int opset = 13) {
        model_.set_ir_version(8);
        model_.set_producer_name("xddp-tests");
        model_.add_opset_import()->set_version(opset);
        model_.mutable_graph()->set_name("test");
    }

    // A float input (N, dims...); batch 0 means a symbolic batch "N".
    model_builder& input(const std::string& name, const std::vector<std::int64_t>& dims, std::int64_t batch = 1) {
        auto* vi = graph_()->add_input();
        vi->set_name(name);
        auto* tt = vi->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(pb::TensorProto_DataType_FLOAT);
        auto* shape = tt->mutable_shape();
        if (batch > 0) shape->add_dim()->set_dim_value(batch);
        else shape->add_dim()->set_dim_param("N");
        for (std::int64_t d : dims) shape->add_dim()->set_dim_value(d);
        return *this;
    }
    model_builder& output(const std::string& name) {
        graph_()->add_output()->set_name(name);
        return *this;
    }
    model_builder& weight(const std::string& name, const std::vector<std::int64_t>& dims, const std::vector<float>& values) {
        *graph_()->add_initializer() = float_tensor(name, dims, values);
        return *this;
    }
    model_builder& weight(const std::string& name, const std::vector<std::int64_t>& dims) {
        std::size_t n = 1;
        for (auto d : dims) n *= static_cast<std::size_t>(d);
        return weight(name, dims, ramp(n));
    }
    model_builder& int64_weight(const std::string& name, const std::vector<std::int64_t>& dims,
                                const std::vector<std::int64_t>& values) {
        *graph_()->add_initializer() = int64_tensor(name, dims, values);
        return *this;
    }

    pb::NodeProto& node(const std::string& op, std::initializer_list<std::string> inputs,
                        std::initializer_list<std::string> outputs, const std::string& name = "") {
        auto* n = graph_()->add_node();
        n->set_op_type(op);
        n->set_name(name);
        for (const auto& i : inputs) n->add_input(i);
        for (const auto& o : outputs) n->add_output(o);
        return *n;
    }

    pb::ModelProto& model() { return model_; }
    pb::GraphProto& graph() { return *model_.mutable_graph(); }
    std::string bytes() const { return model_.SerializeAsString(); }

private:
    pb::GraphProto* graph_() { return model_.mutable_graph(); }  // never cached: builders are copied
    pb::ModelProto model_;
};

inline pb::NodeProto& set_int(pb::NodeProto& n, const std::string& name, std::int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto_AttributeType_INT);
    a->set_i(v);
    return n;
}
inline pb::NodeProto& set_float(pb::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto_AttributeType_FLOAT);
    a->set_f(v);
    return n;
}
inline pb::NodeProto& set_ints(pb::NodeProto& n, const std::string& name, std::initializer_list<std::int64_t> v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto_AttributeType_INTS);
    for (auto x : v) a->add_ints(x);
    return n;
}
inline pb::NodeProto& set_string(pb::NodeProto& n, const std::string& name, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto_AttributeType_STRING);
    a->set_s(v);
    return n;
}
inline pb::NodeProto& set_tensor(pb::NodeProto& n, const std::string& name, const pb::TensorProto& t) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto_AttributeType_TENSOR);
    *a->mutable_t() = t;
    return n;
}

// A small CNN the way PyTorch exports it: Conv + BN + Relu, MaxPool, a padded strided Conv with
// asymmetric pads, Clip (ReLU6), GlobalAveragePool, the Shape/Gather/Unsqueeze/Concat plumbing of
// x.view(x.size(0), -1) into a Reshape, then MatMul + Add and Gemm (transB = 1). Input (N, 3, 8, 8).
inline model_builder small_cnn(int opset = 13) {
    model_builder b(opset);
    b.input("input", {3, 8, 8}, 0).output("logits");
    b.weight("conv1.weight", {4, 3, 3, 3}).weight("conv1.bias", {4});
    b.weight("bn1.weight", {4}, {1.0f, 0.5f, 1.5f, 0.8f}).weight("bn1.bias", {4}, {0.1f, -0.2f, 0.0f, 0.3f});
    b.weight("bn1.running_mean", {4}, {0.05f, -0.1f, 0.2f, 0.0f}).weight("bn1.running_var", {4}, {1.0f, 0.7f, 1.3f, 0.9f});
    b.weight("conv2.weight", {6, 4, 3, 3}).weight("conv2.bias", {6});
    b.weight("fc1.weight_t", {6, 5}).weight("fc1.bias", {5});
    b.weight("fc2.weight", {3, 5}).weight("fc2.bias", {3});
    b.int64_weight("minus_one", {1}, {-1});
    b.int64_weight("zero", {}, {0});
    b.int64_weight("axes0", {1}, {0});
    auto& c1 = b.node("Conv", {"input", "conv1.weight", "conv1.bias"}, {"c1"}, "/conv1/Conv");
    set_ints(c1, "kernel_shape", {3, 3});
    set_ints(c1, "pads", {1, 1, 1, 1});
    b.node("BatchNormalization", {"c1", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"}, {"b1"},
           "/bn1/BatchNormalization");
    b.node("Relu", {"b1"}, {"r1"}, "/relu/Relu");
    auto& mp = b.node("MaxPool", {"r1"}, {"p1"}, "/pool/MaxPool");
    set_ints(mp, "kernel_shape", {2, 2});
    set_ints(mp, "strides", {2, 2});
    auto& c2 = b.node("Conv", {"p1", "conv2.weight", "conv2.bias"}, {"c2"}, "/conv2/Conv");
    set_ints(c2, "strides", {2, 2});
    set_ints(c2, "pads", {0, 1, 1, 0});
    set_float(b.node("Constant", {}, {"lo"}, "/act/Constant"), "value_float", 0.0f);
    set_float(b.node("Constant", {}, {"hi"}, "/act/Constant_1"), "value_float", 6.0f);
    b.node("Clip", {"c2", "lo", "hi"}, {"r2"}, "/act/Clip");
    b.node("GlobalAveragePool", {"r2"}, {"g"}, "/avgpool/GlobalAveragePool");
    b.node("Shape", {"g"}, {"s"}, "/Shape");
    set_int(b.node("Gather", {"s", "zero"}, {"n"}, "/Gather"), "axis", 0);
    b.node("Unsqueeze", {"n", "axes0"}, {"n1"}, "/Unsqueeze");
    set_int(b.node("Concat", {"n1", "minus_one"}, {"target"}, "/Concat"), "axis", 0);
    b.node("Reshape", {"g", "target"}, {"flat"}, "/Reshape");
    b.node("MatMul", {"flat", "fc1.weight_t"}, {"m"}, "/fc1/MatMul");
    b.node("Add", {"m", "fc1.bias"}, {"h"}, "/fc1/Add");
    b.node("Relu", {"h"}, {"hr"}, "/relu2/Relu");
    set_int(b.node("Gemm", {"hr", "fc2.weight", "fc2.bias"}, {"logits"}, "/fc2/Gemm"), "transB", 1);
    return b;
}

}  // namespace onnx_test
