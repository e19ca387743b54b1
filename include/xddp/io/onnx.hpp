#pragma once
// ONNX import: load_onnx(path) builds the same xddp::graph the C++ builder builds from a model file.
// Optional: needs Debian's libonnx-dev and libprotobuf-dev; link the CMake target xddp::onnx. The core
// headers never include this one.
//
//   xddp::graph g = xddp::io::load_onnx("model.onnx");
//
// Nodes (opset 11-17): Conv, Gemm, MatMul (+ Add of a bias), Relu, Elu, LeakyRelu, Clip, BatchNormalization,
// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Add (residual), Flatten, Reshape, Dropout,
// Identity, and the shape plumbing PyTorch exports around view/flatten (Constant, Shape, Gather, Unsqueeze,
// Squeeze, Concat, Cast), which is folded at import. Anything else is an unsupported_error naming the node,
// its op type and the opset; a malformed, truncated or hostile file is a format_error (never a crash or
// an allocation the file's own size does not justify).
//
// What the import does beyond a literal translation, and why:
// - Layers are named by the PyTorch module path recovered from node names ("/layer1/layer1.0/conv1/Conv"
//   -> "layer1.0.conv1", see io/onnx/names.hpp); a residual Add in block "layer1.0" is
//   "layer1.0.resnetadd", DeepDataProfiler's name for it. Clashes get "_1", "_2", ... appended.
// - Flatten and Reshape are views: no node is added for them unless a layer that cares about the shape
//   (conv, pool, batch norm, add, the model output) reads the reshaped tensor. A linear layer flattens its
//   input itself, so the Flatten PyTorch exports before a classifier disappears, as in the C++ models.
// - An AveragePool whose windows tile its input exactly (stride = kernel, no padding) is what PyTorch
//   exports for AdaptiveAvgPool2d; it becomes adaptive_avg_pool2d (onnx_options::adaptive_pools).
// - Gemm's transB = 0, alpha and beta are applied to the weights at import; MatMul followed by the Add of
//   a constant becomes one linear layer with that bias.
// - Nodes that do not feed the model output are skipped.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/io/onnx/names.hpp"
#include "xddp/io/onnx/tensor.hpp"
#include "xddp/layers/adaptive_avg_pool2d.hpp"
#include "xddp/layers/add.hpp"
#include "xddp/layers/avg_pool2d.hpp"
#include "xddp/layers/batch_norm.hpp"
#include "xddp/layers/conv2d.hpp"
#include "xddp/layers/dropout.hpp"
#include "xddp/layers/elu.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/layers/hardtanh.hpp"
#include "xddp/layers/leaky_relu.hpp"
#include "xddp/layers/linear.hpp"
#include "xddp/layers/max_pool2d.hpp"
#include "xddp/layers/relu.hpp"
#include "xddp/model/graph.hpp"

namespace xddp::io {

struct onnx_options {
    // Name layers by the module path in PyTorch-exported node names; false keeps the node names as they are.
    bool module_names = true;
    // Import an AveragePool that tiles its input exactly as adaptive_avg_pool2d (what PyTorch exported).
    bool adaptive_pools = true;
};

// The default-domain operator set versions the importer reads.
inline constexpr int onnx_min_opset = 11;
inline constexpr int onnx_max_opset = 17;

namespace onnx_detail {

// An activation of the graph as ONNX sees it. After a Flatten or Reshape, `shape` (per sample) differs
// from the node's own shape until a layer that needs it adds a flatten node, named after `origin`.
struct view {
    node_id node = 0;
    shape_t shape;
    std::string origin;
};

// A named ONNX value: an initializer not decoded yet, a constant, or an activation.
using value = std::variant<const pb::TensorProto*, constant_ptr, view>;

// Element count with saturation instead of overflow.
inline std::size_t saturated_count(std::span<const std::size_t> shape) {
    std::size_t c = 1;
    for (std::size_t d : shape) {
        if (d != 0 && c > std::numeric_limits<std::size_t>::max() / d) return std::numeric_limits<std::size_t>::max();
        c *= d;
    }
    return c;
}

inline std::string to_string(const std::vector<std::int64_t>& v) {
    std::string s = "[";
    for (std::size_t k = 0; k < v.size(); ++k)
        s.append(k ? ", " : "").append(v[k] == batch_extent ? std::string("N") : std::to_string(v[k]));
    return s + "]";
}

class importer {
public:
    // model_bytes: the size of the serialized model, which sets the budget for decoded tensors.
    importer(const pb::ModelProto& model, std::size_t model_bytes, std::string where, std::filesystem::path model_dir,
             onnx_options options)
        : model_(model),
          where_(std::move(where)),
          model_dir_(std::move(model_dir)),
          options_(options),
          budget_(base_budget + 4 * model_bytes) {}

    graph run() {
        opset_ = read_opset();
        if (!model_.has_graph()) throw format_error(where_ + ": the model has no graph");
        const pb::GraphProto& gp = model_.graph();
        for (const pb::TensorProto& t : gp.initializer()) {
            if (t.name().empty()) throw format_error(where_ + ": an initializer has no name");
            checked_dims(t, where_ + ": initializer '" + t.name() + "'");  // the data is checked when used
            if (!values_.emplace(t.name(), &t).second)
                throw format_error(where_ + ": initializer '" + t.name() + "' is defined twice");
        }
        read_input(gp);
        if (gp.output_size() == 0) throw format_error(where_ + ": the model has no output");
        if (gp.output_size() > 1)
            throw unsupported_error(where_ + ": the model has " + std::to_string(gp.output_size()) +
                                    " outputs; xddp graphs have one");
        const std::string& output = gp.output(0).name();
        if (output.empty()) throw format_error(where_ + ": the model output has no name");
        mark_live(gp, output);
        for (int k = 0; k < gp.node_size(); ++k)
            if (live_[static_cast<std::size_t>(k)]) import_node(gp.node(k), k);
        return finish(output);
    }

private:
    // ---- model level -------------------------------------------------------------------------------

    int read_opset() const {
        std::optional<std::int64_t> version;
        for (const auto& o : model_.opset_import())
            if (o.domain().empty() || o.domain() == "ai.onnx") version = o.version();
        if (!version) throw format_error(where_ + ": the model imports no version of the default operator set (opset_import)");
        if (*version < onnx_min_opset || *version > onnx_max_opset)
            throw unsupported_error(where_ + ": the model uses opset " + std::to_string(*version) + "; xddp imports opset " +
                                    std::to_string(onnx_min_opset) + " to " + std::to_string(onnx_max_opset) +
                                    " (from PyTorch: torch.onnx.export(..., opset_version=13))");
        return static_cast<int>(*version);
    }

    void read_input(const pb::GraphProto& gp) {
        const pb::ValueInfoProto* input = nullptr;
        for (const auto& vi : gp.input()) {
            if (vi.name().empty()) throw format_error(where_ + ": a model input has no name");
            if (values_.contains(vi.name())) continue;  // an initializer listed as an input (IR version < 4)
            if (input)
                throw unsupported_error(where_ + ": the model has inputs '" + input->name() + "' and '" + vi.name() +
                                        "'; xddp graphs take one input");
            input = &vi;
        }
        if (!input) throw format_error(where_ + ": the model has no input that is not an initializer");
        const std::string what = where_ + ": input '" + input->name() + "'";
        if (!input->has_type() || !input->type().has_tensor_type()) throw format_error(what + " is not a tensor");
        const auto& tensor = input->type().tensor_type();
        if (tensor.elem_type() != pb::TensorProto_DataType_FLOAT)
            throw unsupported_error(what + " has element type " + data_type_name(tensor.elem_type()) +
                                    "; xddp takes FLOAT inputs");
        if (!tensor.has_shape()) throw unsupported_error(what + " has no shape; xddp needs the sample shape");
        const auto& dims = tensor.shape().dim();
        if (static_cast<std::size_t>(dims.size()) > max_rank)
            throw format_error(what + " has " + std::to_string(dims.size()) + " dimensions, more than " + std::to_string(max_rank));
        if (dims.size() < 2)
            throw unsupported_error(what + " has " + std::to_string(dims.size()) +
                                    " dimensions; xddp needs (N, ...) with a batch dimension first");
        if (dims[0].has_dim_value()) {
            if (dims[0].dim_value() < 1 || dims[0].dim_value() > max_extent)
                throw format_error(what + " has batch size " + std::to_string(dims[0].dim_value()));
            declared_batch_ = dims[0].dim_value();
        }
        shape_t sample;
        for (int d = 1; d < dims.size(); ++d) {
            if (!dims[d].has_dim_value())
                throw unsupported_error(what + " has a symbolic dimension " + std::to_string(d) + " ('" +
                                        dims[d].dim_param() + "'); xddp needs a static sample shape");
            const std::int64_t v = dims[d].dim_value();
            if (v < 1 || v > max_extent)
                throw format_error(what + " has dimension " + std::to_string(d) + " of " + std::to_string(v) +
                                   ", expected 1.." + std::to_string(max_extent));
            sample.push_back(static_cast<std::size_t>(v));
        }
        if (saturated_count(sample) > max_elements)
            throw format_error(what + " has sample shape " + xddp::to_string(sample) + ", more than " +
                               std::to_string(max_elements) + " elements");
        graph_.emplace(sample, input->name());
        values_[input->name()] = view{0, sample, {}};
    }

    // Nodes the output depends on, and how often each value is read by them.
    void mark_live(const pb::GraphProto& gp, const std::string& output) {
        const std::size_t n = static_cast<std::size_t>(gp.node_size());
        for (std::size_t k = 0; k < n; ++k)
            for (const std::string& o : gp.node(static_cast<int>(k)).output()) {
                if (o.empty()) continue;
                if (values_.contains(o))
                    throw format_error(where_ + ": node '" + display_name(gp.node(static_cast<int>(k)), k) +
                                       "' produces '" + o + "', which is an initializer or the input");
                auto [it, fresh] = producer_.emplace(o, k);
                if (!fresh)
                    throw format_error(where_ + ": value '" + o + "' is produced twice, by nodes '" +
                                       display_name(gp.node(static_cast<int>(it->second)), it->second) + "' and '" +
                                       display_name(gp.node(static_cast<int>(k)), k) + "'");
            }
        if (!producer_.contains(output) && !values_.contains(output))
            throw format_error(where_ + ": no node produces the model output '" + output + "'");
        live_.assign(n, false);
        std::vector<const std::string*> pending{&output};
        while (!pending.empty()) {
            const std::string* name = pending.back();
            pending.pop_back();
            const auto p = producer_.find(*name);
            if (p == producer_.end() || live_[p->second]) continue;
            live_[p->second] = true;
            for (const std::string& in : gp.node(static_cast<int>(p->second)).input())
                if (!in.empty()) pending.push_back(&in);
        }
        for (std::size_t k = 0; k < n; ++k)
            if (live_[k])
                for (const std::string& in : gp.node(static_cast<int>(k)).input())
                    if (!in.empty()) ++uses_[in];
        ++uses_[output];
    }

    graph finish(const std::string& output) {
        const value& v = values_.at(output);
        if (!std::holds_alternative<view>(v))
            throw unsupported_error(where_ + ": the model output '" + output + "' is a constant, not computed from the input");
        context_ = where_ + ": the model output '" + output + "'";
        const node_id out = materialize(std::get<view>(v));
        graph& g = *graph_;
        // Every other node feeding a successor also puts the output last, where a graph keeps it.
        for (node_id id = 0; id < g.size(); ++id)
            if (id != out && g[id].successors.empty())
                throw unsupported_error(where_ + ": node '" + g[id].name + "' does not feed the model output '" + output +
                                        "' (only its shape is read); xddp graphs have one output");
        return std::move(g);
    }

    // ---- per node ----------------------------------------------------------------------------------

    static std::string display_name(const pb::NodeProto& n, std::size_t k) {
        return n.name().empty() ? std::string("#").append(std::to_string(k)) : n.name();
    }

    void import_node(const pb::NodeProto& n, int k) {
        index_ = k;
        context_ = where_ + ": node '" + display_name(n, static_cast<std::size_t>(k)) + "' (" + n.op_type() + ", opset " +
                   std::to_string(opset_) + ")";
        if (!n.domain().empty() && n.domain() != "ai.onnx")
            throw unsupported_error(context_ + ": operators of domain '" + n.domain() + "' are not supported");
        if (n.output_size() == 0 || n.output(0).empty()) throw format_error(context_ + ": the node has no output");
        for (const std::string& in : n.input()) {
            if (in.empty() || values_.contains(in)) continue;
            const auto p = producer_.find(in);
            if (p != producer_.end())
                throw format_error(context_ + ": reads '" + in + "' before node '" +
                                   display_name(model_.graph().node(static_cast<int>(p->second)), p->second) +
                                   "' produces it; the nodes are not in topological order or form a cycle");
            throw format_error(context_ + ": reads '" + in + "', which no node, initializer or input provides");
        }
        const std::string& op = n.op_type();
        if (op == "Conv") return import_conv(n);
        if (op == "Gemm") return import_gemm(n);
        if (op == "MatMul") return import_matmul(n);
        if (op == "Add") return import_add(n);
        if (op == "BatchNormalization") return import_batch_norm(n);
        if (op == "MaxPool" || op == "AveragePool") return import_pool(n, op == "MaxPool");
        if (op == "GlobalAveragePool" || op == "GlobalMaxPool") return import_global_pool(n, op == "GlobalMaxPool");
        if (op == "Relu" || op == "Elu" || op == "LeakyRelu" || op == "Clip" || op == "Dropout") return import_elementwise(n);
        if (op == "Identity") {
            expect_inputs(n, 1, 1);
            return set_output(n, values_.at(n.input(0)));
        }
        if (op == "Flatten") return import_flatten(n);
        if (op == "Reshape") return import_reshape(n);
        if (op == "Constant") return import_constant(n);
        if (op == "Shape") return import_shape(n);
        if (op == "Gather") return import_gather(n);
        if (op == "Unsqueeze" || op == "Squeeze") return import_unsqueeze(n, op == "Squeeze");
        if (op == "Concat") return import_concat(n);
        if (op == "Cast") return import_cast(n);
        throw unsupported_error(context_ + ": op type '" + op +
                                "' is not supported; xddp imports Conv, Gemm, MatMul, Add, BatchNormalization, MaxPool, "
                                "AveragePool, GlobalAveragePool, GlobalMaxPool, Relu, Elu, LeakyRelu, Clip, Dropout, "
                                "Identity, Flatten, Reshape and constant shape plumbing");
    }

    // ---- inputs, attributes, outputs ---------------------------------------------------------------

    void expect_inputs(const pb::NodeProto& n, int min, int max) const {
        if (n.input_size() < min || n.input_size() > max)
            throw format_error(context_ + ": has " + std::to_string(n.input_size()) + " inputs, expected " +
                               (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)));
        for (int i = 0; i < min; ++i)
            if (n.input(i).empty()) throw format_error(context_ + ": required input " + std::to_string(i) + " is empty");
    }
    static bool has_input(const pb::NodeProto& n, int i) { return i < n.input_size() && !n.input(i).empty(); }

    // Optional outputs (MaxPool's indices, Dropout's mask, training outputs) must not be read.
    void expect_single_output(const pb::NodeProto& n) const {
        for (int o = 1; o < n.output_size(); ++o)
            if (!n.output(o).empty() && uses_.contains(n.output(o)))
                throw unsupported_error(context_ + ": output " + std::to_string(o) + " ('" + n.output(o) +
                                        "') is read by another node; xddp imports only the first output");
    }

    void set_output(const pb::NodeProto& n, value v) { values_[n.output(0)] = std::move(v); }

    const view& activation(const pb::NodeProto& n, int i) const {
        const value& v = values_.at(n.input(i));
        if (const view* a = std::get_if<view>(&v)) return *a;
        throw unsupported_error(context_ + ": input " + std::to_string(i) + " ('" + n.input(i) +
                                "') is a constant; xddp imports " + n.op_type() + " on activations computed from the model input");
    }

    constant_ptr constant_input(const pb::NodeProto& n, int i, std::string_view what) {
        const value& v = values_.at(n.input(i));
        if (const auto* c = std::get_if<constant_ptr>(&v)) return *c;
        if (const auto* t = std::get_if<const pb::TensorProto*>(&v)) return decode_tensor(**t, "initializer '" + n.input(i) + "'");
        throw unsupported_error(context_ + ": " + std::string(what) + " '" + n.input(i) +
                                "' is computed at run time; xddp needs it as an initializer or constant");
    }

    // Every decoded or folded tensor counts against a budget of a few times the model's own size (plus
    // its external data), so that a small file cannot make the import hold gigabytes: reusing one large
    // initializer in thousands of nodes, or a chain of Concats doubling a constant.
    static constexpr std::size_t base_budget = std::size_t{256} << 20;

    void spend(std::size_t elements, std::size_t element_bytes) {
        const std::size_t bytes = elements > max_elements ? std::numeric_limits<std::size_t>::max() / 2 : elements * element_bytes;
        if (bytes > budget_ - std::min(spent_, budget_))
            throw unsupported_error(context_ + ": the tensors the import holds would exceed " + std::to_string(budget_) +
                                    " bytes (256 MiB + 4 x the model's size and external data); xddp does not import "
                                    "models that reuse or fold large tensors this often");
        spent_ += bytes;
    }

    constant_ptr decode_tensor(const pb::TensorProto& t, const std::string& what) {
        const shape_t dims = checked_dims(t, where_ + ": " + what);
        const std::size_t elements = element_count(dims);
        const std::size_t bytes = t.data_type() == pb::TensorProto_DataType_FLOAT ? 4 : 8;  // as decoded
        if (t.data_location() == pb::TensorProto_DataLocation_EXTERNAL && external_seen_.insert(&t).second)
            budget_ += 4 * elements * bytes;  // data outside the model file: allow for it once
        spend(elements, bytes);
        return std::make_shared<const constant>(decode(t, where_ + ": " + what, model_dir_));
    }

    // A new constant of `elements` values, counted against the budget.
    std::shared_ptr<constant> new_constant(std::size_t elements, bool is_float) {
        spend(elements, is_float ? 4 : 8);
        auto c = std::make_shared<constant>();
        c->is_float = is_float;
        return c;
    }

    // A float constant of finite values with `rank` dims (any rank if rank < 0).
    constant_ptr weight(const pb::NodeProto& n, int i, std::string_view what, int rank = -1) {
        constant_ptr c = constant_input(n, i, what);
        const std::string name = std::string(what) + " '" + n.input(i) + "'";
        if (!c->is_float) throw format_error(context_ + ": " + name + " is not FLOAT");
        if (rank >= 0 && c->shape.size() != static_cast<std::size_t>(rank))
            throw format_error(context_ + ": " + name + " has shape " + xddp::to_string(c->shape) + ", expected " +
                               std::to_string(rank) + " dimensions");
        const auto bad = std::find_if(c->f.begin(), c->f.end(), [](float v) { return !std::isfinite(v); });
        if (bad != c->f.end())
            throw value_error(context_ + ": " + name + " holds " + (std::isnan(*bad) ? "NaN" : "Inf") + " at flat index " +
                              std::to_string(bad - c->f.begin()) + "; expected finite values");
        return c;
    }

    // A scalar float constant (one element of any shape), for Clip bounds and Dropout's ratio.
    std::optional<float> scalar_input(const pb::NodeProto& n, int i, std::string_view what) {
        if (!has_input(n, i)) return std::nullopt;
        constant_ptr c = constant_input(n, i, what);
        if (!c->is_float || c->size() != 1)
            throw format_error(context_ + ": " + std::string(what) + " '" + n.input(i) + "' is not one FLOAT value");
        return c->f[0];
    }

    const pb::AttributeProto* attribute(const pb::NodeProto& n, std::string_view name) const {
        for (const auto& a : n.attribute())
            if (a.name() == name) return &a;
        return nullptr;
    }
    void expect_type(const pb::AttributeProto& a, pb::AttributeProto_AttributeType type, bool has_value,
                     std::string_view type_name) const {
        if (a.type() != type && !(a.type() == pb::AttributeProto_AttributeType_UNDEFINED && has_value))
            throw format_error(context_ + ": attribute '" + a.name() + "' is not of type " + std::string(type_name));
    }
    std::int64_t int_attribute(const pb::NodeProto& n, std::string_view name, std::int64_t fallback) const {
        const auto* a = attribute(n, name);
        if (!a) return fallback;
        expect_type(*a, pb::AttributeProto_AttributeType_INT, a->has_i(), "INT");
        return a->i();
    }
    std::optional<float> float_attribute(const pb::NodeProto& n, std::string_view name) const {
        const auto* a = attribute(n, name);
        if (!a) return std::nullopt;
        expect_type(*a, pb::AttributeProto_AttributeType_FLOAT, a->has_f(), "FLOAT");
        return a->f();
    }
    float finite_float_attribute(const pb::NodeProto& n, std::string_view name, float fallback) const {
        const float v = float_attribute(n, name).value_or(fallback);
        if (!std::isfinite(v)) throw format_error(context_ + ": attribute '" + std::string(name) + "' is not finite");
        return v;
    }
    std::optional<std::vector<std::int64_t>> ints_attribute(const pb::NodeProto& n, std::string_view name) const {
        const auto* a = attribute(n, name);
        if (!a) return std::nullopt;
        expect_type(*a, pb::AttributeProto_AttributeType_INTS, a->ints_size() > 0, "INTS");
        return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
    }
    std::string string_attribute(const pb::NodeProto& n, std::string_view name, std::string fallback) const {
        const auto* a = attribute(n, name);
        if (!a) return fallback;
        expect_type(*a, pb::AttributeProto_AttributeType_STRING, a->has_s(), "STRING");
        return a->s();
    }
    bool flag_attribute(const pb::NodeProto& n, std::string_view name) const {
        const std::int64_t v = int_attribute(n, name, 0);
        if (v != 0 && v != 1) throw format_error(context_ + ": attribute '" + std::string(name) + "' is " + std::to_string(v) + ", expected 0 or 1");
        return v == 1;
    }

    // Two extents from an INTS attribute of length 2, each in [min, max_extent].
    pair_t pair_attribute(const pb::NodeProto& n, std::string_view name, pair_t fallback, std::int64_t min = 1) const {
        const auto v = ints_attribute(n, name);
        if (!v) return fallback;
        if (v->size() != 2)
            throw unsupported_error(context_ + ": attribute '" + std::string(name) + "' has " + std::to_string(v->size()) +
                                    " values; xddp imports 2-D windows (2 values)");
        for (std::int64_t e : *v)
            if (e < min || e > max_extent)
                throw format_error(context_ + ": attribute '" + std::string(name) + "' holds " + std::to_string(e) +
                                   ", expected " + std::to_string(min) + ".." + std::to_string(max_extent));
        return {static_cast<std::size_t>((*v)[0]), static_cast<std::size_t>((*v)[1])};
    }

    // Padding (top, left, bottom, right) from `pads` or `auto_pad` for a window over spatial size `in`.
    std::array<std::size_t, 4> window_pads(const pb::NodeProto& n, pair_t kernel, pair_t stride, pair_t dilation,
                                           pair_t in) const {
        const std::string mode = string_attribute(n, "auto_pad", "NOTSET");
        std::array<std::size_t, 4> pads{0, 0, 0, 0};
        if (mode == "NOTSET") {
            const auto p = ints_attribute(n, "pads");
            if (!p) return pads;
            if (p->size() != 4)
                throw format_error(context_ + ": attribute 'pads' has " + std::to_string(p->size()) +
                                   " values, expected 4 (top, left, bottom, right)");
            for (std::size_t k = 0; k < 4; ++k) {
                if ((*p)[k] < 0 || (*p)[k] > max_extent)
                    throw format_error(context_ + ": attribute 'pads' holds " + std::to_string((*p)[k]) + ", expected 0.." +
                                       std::to_string(max_extent));
                pads[k] = static_cast<std::size_t>((*p)[k]);
            }
            return pads;
        }
        if (mode == "VALID") return pads;
        if (mode != "SAME_UPPER" && mode != "SAME_LOWER")
            throw format_error(context_ + ": auto_pad '" + mode + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        for (int d = 0; d < 2; ++d) {
            const std::size_t out = (in[d] + stride[d] - 1) / stride[d];
            const std::size_t extent = dilation[d] * (kernel[d] - 1) + 1;
            const std::size_t covered = (out - 1) * stride[d] + extent;
            const std::size_t needed = covered > in[d] ? covered - in[d] : 0;
            const std::size_t begin = mode == "SAME_UPPER" ? needed / 2 : needed - needed / 2;
            pads[d] = begin;
            pads[d + 2] = needed - begin;
        }
        return pads;
    }

    // ---- graph building ----------------------------------------------------------------------------

    std::string unique_name(std::string base) {
        if (!graph_->find(base)) return base;
        std::size_t& k = next_suffix_[base];  // remembered, so thousands of clashes stay linear
        for (++k;; ++k)
            if (std::string name = base + "_" + std::to_string(k); !graph_->find(name)) return name;
    }

    // The layer name for the current node (before making it unique).
    std::string base_name(const pb::NodeProto& n, std::string_view suffix = {}) const {
        std::string name = options_.module_names ? layer_name(n.name(), suffix) : n.name();
        return name.empty() ? n.op_type() + "_" + std::to_string(index_) : name;
    }

    // Builds a layer, turning a rejected option into a format_error that names the node.
    template <class F>
    auto make(F build) const {
        try {
            return build();
        } catch (const value_error& e) {
            throw format_error(context_ + ": " + e.what());
        }
    }

    node_id add_layer(std::string name, any_layer layer, std::vector<node_id> inputs) {
        node_id id;
        try {
            id = graph_->add(unique_name(std::move(name)), std::move(layer), std::move(inputs));
        } catch (const shape_error& e) {
            throw format_error(context_ + ": " + e.what());
        } catch (const value_error& e) {
            throw format_error(context_ + ": " + e.what());
        }
        const shape_t& s = (*graph_)[id].shape;
        if (saturated_count(s) > max_elements)
            throw format_error(context_ + ": output shape (N, " + xddp::to_string(s).substr(1) + " has more than " +
                               std::to_string(max_elements) + " elements per sample");
        return id;
    }

    // Adds a layer for the current node and makes its output the node's output.
    void emit(const pb::NodeProto& n, any_layer layer, std::vector<node_id> inputs, std::string_view suffix = {}) {
        const node_id id = add_layer(base_name(n, suffix), std::move(layer), std::move(inputs));
        set_output(n, view{id, (*graph_)[id].shape, {}});
    }

    // The node holding v with the shape ONNX sees: v's node, or a flatten of it.
    node_id materialize(const view& v) {
        const shape_t& actual = (*graph_)[v.node].shape;
        if (actual == v.shape) return v.node;
        if (v.shape.size() != 1)
            throw unsupported_error(context_ + ": reads a tensor reshaped from (N, " + xddp::to_string(actual).substr(1) +
                                    " to (N, " + xddp::to_string(v.shape).substr(1) +
                                    "; xddp layers read reshaped tensors only as flattened (N, features)");
        if (auto it = flattened_.find(v.node); it != flattened_.end()) return it->second;
        const std::string saved = context_;
        const node_id id = add_layer(v.origin.empty() ? "flatten" : v.origin, flatten{}, {v.node});
        context_ = saved;
        flattened_.emplace(v.node, id);
        return id;
    }

    // ---- layers ------------------------------------------------------------------------------------

    void import_conv(const pb::NodeProto& n) {
        expect_inputs(n, 2, 3);
        const node_id x = materialize(activation(n, 0));
        const shape_t in = (*graph_)[x].shape;
        if (in.size() != 3)
            throw unsupported_error(context_ + ": convolution over input (N, " + xddp::to_string(in).substr(1) +
                                    "; xddp imports 2-D convolution over (N, C, H, W)");
        const constant_ptr w = weight(n, 1, "weight W", 4);
        const std::int64_t group = int_attribute(n, "group", 1);
        if (group < 1 || group > max_extent) throw format_error(context_ + ": group " + std::to_string(group) + " is not positive");
        const std::size_t groups = static_cast<std::size_t>(group), channels = in[0], out = w->shape[0];
        if (w->shape[1] * groups != channels || out == 0 || out % groups != 0)
            throw format_error(context_ + ": weight W has shape " + xddp::to_string(w->shape) + " for an input of " +
                               std::to_string(channels) + " channels in " + std::to_string(groups) +
                               " groups; expected (M, C / group, kH, kW) with group dividing M");
        const pair_t kernel{w->shape[2], w->shape[3]};
        if (kernel[0] == 0 || kernel[1] == 0) throw format_error(context_ + ": weight W has an empty kernel " + xddp::to_string(w->shape));
        if (pair_attribute(n, "kernel_shape", kernel) != kernel)
            throw format_error(context_ + ": attribute 'kernel_shape' differs from the kernel of weight W " + xddp::to_string(w->shape));
        const pair_t stride = pair_attribute(n, "strides", {1, 1});
        const pair_t dilation = pair_attribute(n, "dilations", {1, 1});
        const auto pads = window_pads(n, kernel, stride, dilation, {in[1], in[2]});
        constant_ptr b;
        if (has_input(n, 2)) {
            b = weight(n, 2, "bias B");
            if (b->shape != shape_t{out})
                throw format_error(context_ + ": bias B has shape " + xddp::to_string(b->shape) + ", expected (" +
                                   std::to_string(out) + ",)");
        }
        conv2d_options o{.in_channels = channels, .out_channels = out, .kernel = kernel, .stride = stride,
                         .padding = {pads[0], pads[1]}, .padding_end = std::nullopt, .dilation = dilation,
                         .groups = groups, .bias = b != nullptr};
        if (pads[2] != pads[0] || pads[3] != pads[1]) o.padding_end = pair_t{pads[2], pads[3]};
        conv2d layer = make([&] { return conv2d(o); });
        std::copy(w->f.begin(), w->f.end(), layer.weight().data());
        if (b) std::copy(b->f.begin(), b->f.end(), layer.bias().data());
        emit(n, std::move(layer), {x});
    }

    void import_pool(const pb::NodeProto& n, bool is_max) {
        expect_inputs(n, 1, 1);
        expect_single_output(n);
        const node_id x = materialize(activation(n, 0));
        const shape_t in = (*graph_)[x].shape;
        if (in.size() != 3)
            throw unsupported_error(context_ + ": pooling over input (N, " + xddp::to_string(in).substr(1) +
                                    "; xddp imports 2-D pooling over (N, C, H, W)");
        if (!attribute(n, "kernel_shape")) throw format_error(context_ + ": attribute 'kernel_shape' is missing");
        const pair_t kernel = pair_attribute(n, "kernel_shape", {1, 1});
        const pair_t stride = pair_attribute(n, "strides", {1, 1});
        pair_t dilation{1, 1};
        if (is_max) dilation = pair_attribute(n, "dilations", {1, 1});
        else if (pair_attribute(n, "dilations", {1, 1}) != pair_t{1, 1})
            throw unsupported_error(context_ + ": AveragePool with dilations is not supported");
        const auto pads = window_pads(n, kernel, stride, dilation, {in[1], in[2]});
        // With ceil_mode the windows follow PyTorch's rule (the last one starts inside the input or its
        // leading padding), which exported models were computed with; opset 19 wrote it into ONNX too.
        const bool ceil_mode = flag_attribute(n, "ceil_mode");
        for (int side = 0; side < 4; ++side)
            if (2 * pads[static_cast<std::size_t>(side)] > kernel[static_cast<std::size_t>(side % 2)])
                throw unsupported_error(context_ + ": padding " + std::to_string(pads[static_cast<std::size_t>(side)]) +
                                        " exceeds half the kernel " + xddp::to_string(kernel) +
                                        "; xddp's pools (as PyTorch's) need padding <= kernel / 2");
        const std::optional<pair_t> pad_end =
            pads[2] != pads[0] || pads[3] != pads[1] ? std::optional<pair_t>(pair_t{pads[2], pads[3]}) : std::nullopt;
        if (is_max) {
            max_pool2d_options o{.kernel = kernel, .stride = stride, .padding = {pads[0], pads[1]},
                                 .padding_end = pad_end, .dilation = dilation, .ceil_mode = ceil_mode};
            return emit(n, make([&] { return max_pool2d(o); }), {x});
        }
        const bool count_include_pad = flag_attribute(n, "count_include_pad");
        const bool tiles = stride == kernel && pads == std::array<std::size_t, 4>{0, 0, 0, 0} && in[1] % kernel[0] == 0 &&
                           in[2] % kernel[1] == 0;
        if (options_.adaptive_pools && tiles)
            return emit(n, adaptive_avg_pool2d::fixed(kernel, {in[1], in[2]}), {x});
        avg_pool2d_options o{.kernel = kernel, .stride = stride, .padding = {pads[0], pads[1]}, .padding_end = pad_end,
                             .ceil_mode = ceil_mode, .count_include_pad = count_include_pad};
        emit(n, make([&] { return avg_pool2d(o); }), {x});
    }

    void import_global_pool(const pb::NodeProto& n, bool is_max) {
        expect_inputs(n, 1, 1);
        const node_id x = materialize(activation(n, 0));
        const shape_t in = (*graph_)[x].shape;
        if (in.size() != 3)
            throw unsupported_error(context_ + ": pooling over input (N, " + xddp::to_string(in).substr(1) +
                                    "; xddp imports 2-D pooling over (N, C, H, W)");
        if (is_max) return emit(n, make([&] { return max_pool2d({.kernel = {in[1], in[2]}}); }), {x});
        emit(n, adaptive_avg_pool2d({1, 1}), {x});
    }

    void import_batch_norm(const pb::NodeProto& n) {
        expect_inputs(n, 5, 5);
        expect_single_output(n);
        if (flag_attribute(n, "training_mode"))
            throw unsupported_error(context_ + ": training_mode = 1; xddp imports BatchNormalization for inference");
        const node_id x = materialize(activation(n, 0));
        const std::size_t channels = (*graph_)[x].shape[0];
        const float eps = finite_float_attribute(n, "epsilon", 1e-5f);
        if (!(eps > 0.0f)) throw unsupported_error(context_ + ": epsilon " + std::to_string(eps) + " is not positive");
        batch_norm layer(channels, eps);
        const char* names[] = {"scale", "B", "input_mean", "input_var"};
        xt::xtensor<float, 1>* targets[] = {&layer.weight(), &layer.bias(), &layer.running_mean(), &layer.running_var()};
        for (int i = 0; i < 4; ++i) {
            const constant_ptr p = weight(n, i + 1, names[i]);
            if (p->shape != shape_t{channels})
                throw format_error(context_ + ": " + names[i] + " '" + n.input(i + 1) + "' has shape " +
                                   xddp::to_string(p->shape) + ", expected (" + std::to_string(channels) + ",)");
            std::copy(p->f.begin(), p->f.end(), targets[i]->data());
        }
        emit(n, std::move(layer), {x});
    }

    // Element-wise layers keep the input's view: relu(flatten(x)) is flatten(relu(x)).
    void import_elementwise(const pb::NodeProto& n) {
        const std::string& op = n.op_type();
        expect_inputs(n, 1, op == "Clip" || op == "Dropout" ? 3 : 1);
        const view x = activation(n, 0);
        std::optional<any_layer> layer;
        if (op == "Relu") {
            layer.emplace(relu{});
        } else if (op == "Elu") {
            layer.emplace(elu{finite_float_attribute(n, "alpha", 1.0f)});
        } else if (op == "LeakyRelu") {
            layer.emplace(leaky_relu{finite_float_attribute(n, "alpha", 0.01f)});
        } else if (op == "Clip") {
            // Bounds are inputs since opset 11 and attributes before; either is read.
            const float inf = std::numeric_limits<float>::infinity();
            const float lo = scalar_input(n, 1, "min").value_or(float_attribute(n, "min").value_or(-inf));
            const float hi = scalar_input(n, 2, "max").value_or(float_attribute(n, "max").value_or(inf));
            if (std::isnan(lo) || std::isnan(hi)) throw format_error(context_ + ": a bound is NaN");
            if (lo > hi)
                throw unsupported_error(context_ + ": min " + std::to_string(lo) + " exceeds max " + std::to_string(hi));
            if (lo == 0.0f && hi == inf) layer.emplace(relu{});
            else layer.emplace(hardtanh{lo, hi});
        } else {  // Dropout: the identity at inference, kept as a node like PyTorch's module
            expect_single_output(n);
            float ratio = scalar_input(n, 1, "ratio").value_or(float_attribute(n, "ratio").value_or(0.5f));
            if (!(ratio >= 0.0f && ratio < 1.0f)) throw format_error(context_ + ": ratio " + std::to_string(ratio) + " is not in [0, 1)");
            layer.emplace(dropout{ratio});
        }
        const node_id id = add_layer(base_name(n), std::move(*layer), {x.node});
        set_output(n, view{id, x.shape, x.origin});
    }

    void import_add(const pb::NodeProto& n) {
        expect_inputs(n, 2, 2);
        const value& a = values_.at(n.input(0));
        const value& b = values_.at(n.input(1));
        const view* va = std::get_if<view>(&a);
        const view* vb = std::get_if<view>(&b);
        if (va && vb) {
            if (va->shape != vb->shape)
                throw unsupported_error(context_ + ": adds shapes (N, " + xddp::to_string(va->shape).substr(1) + " and (N, " +
                                        xddp::to_string(vb->shape).substr(1) + "; xddp imports Add of equal shapes (no broadcasting)");
            node_id x = materialize(*va), y = materialize(*vb);
            if (x > y) std::swap(x, y);  // a sum is symmetric; keep inputs in graph order
            return emit(n, add{}, {x, y}, ".resnetadd");
        }
        if (!va && !vb)
            throw unsupported_error(context_ + ": adds two constants; xddp imports Add of activations or of a MatMul and its bias");
        const int bias_input = va ? 1 : 0;
        const view& x = va ? *va : *vb;
        fold_bias(n, x, n.input(bias_input == 1 ? 0 : 1), bias_input);
    }

    // MatMul + Add(bias) -> one linear layer with that bias.
    void fold_bias(const pb::NodeProto& n, const view& x, const std::string& x_name, int bias_input) {
        linear* l = nullptr;
        if (unbiased_matmuls_.contains(x.node) && uses_.at(x_name) == 1 && (*graph_)[x.node].shape == x.shape)
            l = graph_->at(x.node).layer->get_if<linear>();
        if (!l)
            throw unsupported_error(context_ + ": adds the constant '" + n.input(bias_input) +
                                    "' to an activation; xddp imports that only as the bias of the MatMul it follows");
        const std::size_t out = l->options().out_features;
        const constant_ptr c = weight(n, bias_input, "bias");
        if (c->size() != out && c->size() != 1)
            throw unsupported_error(context_ + ": bias '" + n.input(bias_input) + "' has shape " +
                                    xddp::to_string(c->shape) + "; expected (" + std::to_string(out) + ",) or one value");
        linear biased = make([&] { return linear({.in_features = l->options().in_features, .out_features = out, .bias = true}); });
        biased.weight() = l->weight();
        for (std::size_t o = 0; o < out; ++o) biased.bias()(o) = c->f[c->size() == 1 ? 0 : o];
        graph_->at(x.node).layer = any_layer(std::move(biased));
        unbiased_matmuls_.erase(x.node);
        set_output(n, x);
    }

    // The (N, K) activation of a Gemm or MatMul: a view of any node whose sample has K elements.
    const view& matrix_input(const pb::NodeProto& n) const {
        const view& a = activation(n, 0);
        if (a.shape.size() != 1)
            throw unsupported_error(context_ + ": input A has shape (N, " + xddp::to_string(a.shape).substr(1) +
                                    "; xddp imports " + n.op_type() + " on (N, K) as a linear layer");
        return a;
    }

    void import_gemm(const pb::NodeProto& n) {
        expect_inputs(n, 2, 3);
        if (int_attribute(n, "transA", 0) != 0)
            throw unsupported_error(context_ + ": transA = 1 transposes the activation; xddp imports Gemm with transA = 0");
        const view& a = matrix_input(n);
        const constant_ptr b = weight(n, 1, "weight B", 2);
        const bool trans_b = int_attribute(n, "transB", 0) != 0;
        const float alpha = finite_float_attribute(n, "alpha", 1.0f), beta = finite_float_attribute(n, "beta", 1.0f);
        const std::size_t in = trans_b ? b->shape[1] : b->shape[0], out = trans_b ? b->shape[0] : b->shape[1];
        if (in != a.shape[0] || out == 0)
            throw format_error(context_ + ": weight B has shape " + xddp::to_string(b->shape) + " (transB = " +
                               std::to_string(trans_b) + ") for input (N, " + std::to_string(a.shape[0]) + ")");
        constant_ptr c;
        if (has_input(n, 2)) {
            c = weight(n, 2, "bias C");
            const bool row = c->size() == out && (c->shape.size() == 1 || (c->shape.size() == 2 && c->shape[0] == 1));
            if (!row && c->size() != 1)
                throw unsupported_error(context_ + ": bias C has shape " + xddp::to_string(c->shape) + "; expected (" +
                                        std::to_string(out) + ",), (1, " + std::to_string(out) + ") or one value");
        }
        linear layer = make([&] { return linear({.in_features = in, .out_features = out, .bias = c != nullptr}); });
        float* w = layer.weight().data();
        for (std::size_t o = 0; o < out; ++o)
            for (std::size_t i = 0; i < in; ++i) w[o * in + i] = alpha * b->f[trans_b ? o * in + i : i * out + o];
        if (c)
            for (std::size_t o = 0; o < out; ++o) layer.bias()(o) = beta * c->f[c->size() == 1 ? 0 : o];
        emit(n, std::move(layer), {a.node});
    }

    void import_matmul(const pb::NodeProto& n) {
        expect_inputs(n, 2, 2);
        const view& a = matrix_input(n);
        const constant_ptr b = weight(n, 1, "weight B", 2);
        const std::size_t in = b->shape[0], out = b->shape[1];
        if (in != a.shape[0] || out == 0)
            throw format_error(context_ + ": weight B has shape " + xddp::to_string(b->shape) + " for input (N, " +
                               std::to_string(a.shape[0]) + "); expected (K, M)");
        linear layer = make([&] { return linear({.in_features = in, .out_features = out, .bias = false}); });
        float* w = layer.weight().data();
        for (std::size_t o = 0; o < out; ++o)
            for (std::size_t i = 0; i < in; ++i) w[o * in + i] = b->f[i * out + o];
        emit(n, std::move(layer), {a.node});
        unbiased_matmuls_.insert(std::get<view>(values_.at(n.output(0))).node);
    }

    // ---- views -------------------------------------------------------------------------------------

    void check_rank(const shape_t& shape) const {
        if (shape.size() > max_rank)
            throw unsupported_error(context_ + ": the result has " + std::to_string(shape.size()) + " dimensions, more than " +
                                    std::to_string(max_rank));
    }

    // A constant with new dims and the same elements.
    constant_ptr reshaped(const constant& c, shape_t shape) {
        check_rank(shape);
        auto r = new_constant(c.size(), c.is_float);
        *r = c;
        r->shape = std::move(shape);
        return r;
    }

    // An activation seen with a new sample shape (same elements), or the same view if nothing changes.
    void set_view(const pb::NodeProto& n, const view& x, shape_t shape) {
        check_rank(shape);
        if (shape == x.shape) return set_output(n, x);
        set_output(n, view{x.node, std::move(shape), base_name(n)});
    }

    void import_flatten(const pb::NodeProto& n) {
        expect_inputs(n, 1, 1);
        const value& v = values_.at(n.input(0));
        std::int64_t axis = int_attribute(n, "axis", 1);
        if (const view* x = std::get_if<view>(&v)) {
            const auto rank = static_cast<std::int64_t>(x->shape.size() + 1);
            if (axis < -rank || axis > rank) throw format_error(context_ + ": axis " + std::to_string(axis) + " is out of range");
            if (axis < 0) axis += rank;
            if (axis != 1)
                throw unsupported_error(context_ + ": axis " + std::to_string(axis) +
                                        " mixes the batch dimension into the features; xddp imports Flatten with axis 1");
            return set_view(n, *x, {element_count(x->shape)});
        }
        const constant_ptr c = constant_input(n, 0, "input");
        const auto rank = static_cast<std::int64_t>(c->shape.size());
        if (axis < -rank || axis > rank) throw format_error(context_ + ": axis " + std::to_string(axis) + " is out of range");
        if (axis < 0) axis += rank;
        const auto split = c->shape.begin() + axis;
        set_output(n, reshaped(*c, {element_count(std::span(c->shape.begin(), split)),
                                    element_count(std::span(split, c->shape.end()))}));
    }

    // The int64 vector of a 1-D (or scalar) integer constant.
    const std::vector<std::int64_t>& int_vector(const constant& c, std::string_view what) const {
        if (c.is_float || c.shape.size() > 1)
            throw format_error(context_ + ": " + std::string(what) + " is not a 1-D integer tensor");
        return c.i;
    }

    void import_reshape(const pb::NodeProto& n) {
        expect_inputs(n, 2, 2);
        const bool allow_zero = flag_attribute(n, "allowzero");
        const constant_ptr target_c = constant_input(n, 1, "shape");
        const std::vector<std::int64_t>& target = int_vector(*target_c, "shape");
        if (target.empty() || target.size() > 64)
            throw unsupported_error(context_ + ": target shape " + to_string(target) + " has " +
                                    std::to_string(target.size()) + " dimensions");
        const value& v = values_.at(n.input(0));
        const view* x = std::get_if<view>(&v);
        constant_ptr c;
        if (!x) c = constant_input(n, 0, "data");
        // The input's full dims; an activation's first one is the batch.
        std::vector<std::int64_t> in;
        if (x) in.push_back(batch_extent);
        for (std::size_t d : x ? x->shape : c->shape) in.push_back(static_cast<std::int64_t>(d));
        std::vector<std::int64_t> out;
        std::optional<std::size_t> infer;
        for (std::size_t k = 0; k < target.size(); ++k) {
            std::int64_t e = target[k];
            if (e == 0 && !allow_zero) {
                if (k >= in.size()) throw format_error(context_ + ": target shape " + to_string(target) + " copies dimension " + std::to_string(k) + " the input lacks");
                e = in[k];
            }
            if (e == -1) {
                if (infer) throw format_error(context_ + ": target shape " + to_string(target) + " has two -1 entries");
                infer = k;
            } else if (e == batch_extent) {
                if (k != 0 || !x)
                    throw unsupported_error(context_ + ": target shape " + to_string(target) + " moves the batch dimension");
            } else if (e < 1 || e > max_extent) {
                throw format_error(context_ + ": target shape " + to_string(target) + " holds " + std::to_string(e));
            } else if (k == 0 && x && e != declared_batch_) {
                throw unsupported_error(context_ + ": target shape " + to_string(target) +
                                        " fixes the batch size; export with view(x.size(0), -1) or a dynamic batch");
            } else if (k == 0 && x) {
                e = batch_extent;  // the batch size the model was exported with
            }
            out.push_back(e);
        }
        // Per-sample dims (an activation's batch entry dropped), one of them possibly inferred.
        const std::size_t first = x ? 1 : 0;
        const std::size_t count = element_count(x ? x->shape : c->shape);
        std::size_t known = 1;
        for (std::size_t k = first; k < out.size(); ++k)
            if (!infer || k != *infer) {
                known *= static_cast<std::size_t>(out[k]);
                if (known > max_elements) throw format_error(context_ + ": target shape " + to_string(target) + " is too large");
            }
        shape_t shape;
        for (std::size_t k = first; k < out.size(); ++k) {
            if (infer && k == *infer) {
                if (known == 0 || count % known != 0)
                    throw format_error(context_ + ": cannot reshape " + std::to_string(count) + " elements to " + to_string(target));
                shape.push_back(count / known);
            } else {
                shape.push_back(static_cast<std::size_t>(out[k]));
            }
        }
        if (element_count(shape) != count)
            throw format_error(context_ + ": cannot reshape " + std::to_string(count) + " elements per sample to " +
                               to_string(target) + (infer && *infer == 0 ? " without changing the batch size" : ""));
        if (x) return set_view(n, *x, std::move(shape));
        set_output(n, reshaped(*c, std::move(shape)));
    }

    void import_unsqueeze(const pb::NodeProto& n, bool squeeze) {
        expect_inputs(n, 1, 2);
        std::vector<std::int64_t> axes;
        if (has_input(n, 1)) axes = int_vector(*constant_input(n, 1, "axes"), "axes");
        else if (auto a = ints_attribute(n, "axes")) axes = *a;
        const value& v = values_.at(n.input(0));
        const view* x = std::get_if<view>(&v);
        constant_ptr c;
        if (!x) c = constant_input(n, 0, "data");
        shape_t full = x ? x->shape : c->shape;
        if (x) full.insert(full.begin(), 0);  // the batch: never squeezed or unsqueezed here
        if (axes.size() > 64) throw format_error(context_ + ": " + std::to_string(axes.size()) + " axes");
        if (squeeze && axes.empty()) {
            if (x) throw unsupported_error(context_ + ": Squeeze without axes on an activation could drop the batch dimension");
            for (std::size_t d = 0; d < full.size(); ++d)
                if (full[d] == 1) axes.push_back(static_cast<std::int64_t>(d));
        }
        const auto rank = static_cast<std::int64_t>(squeeze ? full.size() : full.size() + axes.size());
        std::vector<bool> marked(static_cast<std::size_t>(rank), false);
        for (std::int64_t a : axes) {
            if (a < -rank || a >= rank) throw format_error(context_ + ": axis " + std::to_string(a) + " is out of range");
            if (a < 0) a += rank;
            if (marked[static_cast<std::size_t>(a)]) throw format_error(context_ + ": axis " + std::to_string(a) + " appears twice");
            if (x && a == 0) throw unsupported_error(context_ + ": axis 0 is the batch dimension");
            if (squeeze && full[static_cast<std::size_t>(a)] != 1)
                throw format_error(context_ + ": axis " + std::to_string(a) + " has extent " +
                                   std::to_string(full[static_cast<std::size_t>(a)]) + ", not 1");
            marked[static_cast<std::size_t>(a)] = true;
        }
        shape_t shape;
        for (std::size_t d = 0, k = 0; d < marked.size(); ++d) {
            if (squeeze) {
                if (!marked[d]) shape.push_back(full[d]);
            } else {
                shape.push_back(marked[d] ? 1 : full[k++]);
            }
        }
        if (x) return set_view(n, *x, shape_t(shape.begin() + 1, shape.end()));
        set_output(n, reshaped(*c, std::move(shape)));
    }

    // ---- constant shape plumbing -------------------------------------------------------------------

    void import_constant(const pb::NodeProto& n) {
        expect_inputs(n, 0, 0);
        if (n.attribute_size() != 1) throw format_error(context_ + ": expected exactly one value attribute");
        const pb::AttributeProto& a = n.attribute(0);
        auto c = std::make_shared<constant>();
        if (a.name() == "value") {
            expect_type(a, pb::AttributeProto_AttributeType_TENSOR, a.has_t(), "TENSOR");
            return set_output(n, decode_tensor(a.t(), "node '" + display_name(n, static_cast<std::size_t>(index_)) + "' value"));
        } else if (a.name() == "value_float") {
            expect_type(a, pb::AttributeProto_AttributeType_FLOAT, a.has_f(), "FLOAT");
            c->f = {a.f()};
        } else if (a.name() == "value_floats") {
            expect_type(a, pb::AttributeProto_AttributeType_FLOATS, a.floats_size() > 0, "FLOATS");
            c->f.assign(a.floats().begin(), a.floats().end());
            c->shape = {c->f.size()};
        } else if (a.name() == "value_int") {
            expect_type(a, pb::AttributeProto_AttributeType_INT, a.has_i(), "INT");
            c->is_float = false;
            c->i = {a.i()};
        } else if (a.name() == "value_ints") {
            expect_type(a, pb::AttributeProto_AttributeType_INTS, a.ints_size() > 0, "INTS");
            c->is_float = false;
            c->i.assign(a.ints().begin(), a.ints().end());
            c->shape = {c->i.size()};
        } else {
            throw unsupported_error(context_ + ": a Constant given by '" + a.name() + "' is not supported");
        }
        set_output(n, constant_ptr(std::move(c)));
    }

    void import_shape(const pb::NodeProto& n) {
        expect_inputs(n, 1, 1);
        const value& v = values_.at(n.input(0));
        std::vector<std::int64_t> dims;
        if (const view* x = std::get_if<view>(&v)) {
            dims.push_back(batch_extent);
            for (std::size_t d : x->shape) dims.push_back(static_cast<std::int64_t>(d));
        } else {
            for (std::size_t d : constant_input(n, 0, "input")->shape) dims.push_back(static_cast<std::int64_t>(d));
        }
        const auto rank = static_cast<std::int64_t>(dims.size());
        auto clamp = [&](std::int64_t e) { return std::clamp(e < 0 ? e + rank : e, std::int64_t{0}, rank); };
        const std::int64_t begin = clamp(int_attribute(n, "start", 0)), end = clamp(int_attribute(n, "end", rank));
        auto c = new_constant(dims.size(), false);
        if (begin < end) c->i.assign(dims.begin() + begin, dims.begin() + end);
        c->shape = {c->i.size()};
        set_output(n, constant_ptr(std::move(c)));
    }

    void import_gather(const pb::NodeProto& n) {
        expect_inputs(n, 2, 2);
        if (std::holds_alternative<view>(values_.at(n.input(0))))
            throw unsupported_error(context_ + ": Gather on an activation is not supported (only on shape constants)");
        const constant_ptr data = constant_input(n, 0, "data");
        const constant_ptr indices = constant_input(n, 1, "indices");
        if (indices->is_float) throw format_error(context_ + ": indices are not integers");
        const std::int64_t axis = int_attribute(n, "axis", 0);
        if (data->shape.size() != 1 || (axis != 0 && axis != -1))
            throw unsupported_error(context_ + ": Gather on data of shape " + xddp::to_string(data->shape) +
                                    "; xddp folds Gather over 1-D shape constants only");
        const auto size = static_cast<std::int64_t>(data->shape[0]);
        auto c = new_constant(indices->size(), data->is_float);
        c->shape = indices->shape;
        for (std::int64_t k : indices->i) {
            if (k < -size || k >= size)
                throw format_error(context_ + ": index " + std::to_string(k) + " is out of range for " + std::to_string(size) + " entries");
            if (k < 0) k += size;
            if (data->is_float) c->f.push_back(data->f[static_cast<std::size_t>(k)]);
            else c->i.push_back(data->i[static_cast<std::size_t>(k)]);
        }
        set_output(n, constant_ptr(std::move(c)));
    }

    void import_concat(const pb::NodeProto& n) {
        if (n.input_size() < 1) throw format_error(context_ + ": has no inputs");
        if (!attribute(n, "axis")) throw format_error(context_ + ": attribute 'axis' is missing");
        const std::int64_t axis = int_attribute(n, "axis", 0);
        std::vector<constant_ptr> parts;
        std::size_t total = 0;
        for (int i = 0; i < n.input_size(); ++i) {
            if (n.input(i).empty()) throw format_error(context_ + ": input " + std::to_string(i) + " is empty");
            if (std::holds_alternative<view>(values_.at(n.input(i))))
                throw unsupported_error(context_ + ": Concat of activations is not supported (only of shape constants)");
            parts.push_back(constant_input(n, i, "input"));
            total += std::min(parts.back()->size(), max_elements);
        }
        auto c = new_constant(total, parts[0]->is_float);
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const constant_ptr& part = parts[i];
            if (part->shape.size() != 1 || (axis != 0 && axis != -1))
                throw unsupported_error(context_ + ": Concat of shape " + xddp::to_string(part->shape) + " along axis " +
                                        std::to_string(axis) + "; xddp folds Concat of 1-D shape constants only");
            if (part->is_float != c->is_float) throw format_error(context_ + ": inputs have different element types");
            c->f.insert(c->f.end(), part->f.begin(), part->f.end());
            c->i.insert(c->i.end(), part->i.begin(), part->i.end());
        }
        c->shape = {c->is_float ? c->f.size() : c->i.size()};
        set_output(n, constant_ptr(std::move(c)));
    }

    void import_cast(const pb::NodeProto& n) {
        expect_inputs(n, 1, 1);
        if (std::holds_alternative<view>(values_.at(n.input(0))))
            throw unsupported_error(context_ + ": Cast of an activation is not supported (only of shape constants)");
        const constant_ptr in = constant_input(n, 0, "input");
        const std::int64_t to = int_attribute(n, "to", 0);
        auto c = new_constant(in->size(), to == pb::TensorProto_DataType_FLOAT);
        c->shape = in->shape;
        if (to == pb::TensorProto_DataType_FLOAT) {
            c->f = in->f;
            for (std::int64_t e : in->i) {
                if (e == batch_extent) throw unsupported_error(context_ + ": casts the batch size to FLOAT");
                c->f.push_back(static_cast<float>(e));
            }
        } else if (to == pb::TensorProto_DataType_INT64 || to == pb::TensorProto_DataType_INT32) {
            c->i = in->i;
            for (float e : in->f) {
                if (!(std::fabs(e) < 9.0e15f)) throw format_error(context_ + ": cannot cast " + std::to_string(e) + " to an integer");
                c->i.push_back(static_cast<std::int64_t>(e));
            }
        } else {
            throw unsupported_error(context_ + ": Cast to " + data_type_name(static_cast<int>(to)) +
                                    " is not supported (FLOAT, INT64, INT32 only)");
        }
        set_output(n, constant_ptr(std::move(c)));
    }

    const pb::ModelProto& model_;
    std::string where_;
    std::filesystem::path model_dir_;
    onnx_options options_;
    int opset_ = 0;
    int index_ = 0;
    std::string context_;
    std::optional<std::int64_t> declared_batch_;
    std::optional<graph> graph_;
    std::unordered_map<std::string, value> values_;
    std::unordered_map<std::string, std::size_t> producer_;
    std::unordered_map<std::string, std::size_t> uses_;
    std::vector<bool> live_;
    std::unordered_map<node_id, node_id> flattened_;
    std::unordered_set<node_id> unbiased_matmuls_;
    std::unordered_map<std::string, std::size_t> next_suffix_;
    std::unordered_set<const pb::TensorProto*> external_seen_;
    std::size_t budget_;
    std::size_t spent_ = 0;
};

}  // namespace onnx_detail

// Builds a graph from the bytes of an ONNX model file held in memory. External tensor data is read from
// `model_dir` (and must stay inside it); without a folder, a model with external data is a format_error.
// `where` names the model in messages.
inline graph load_onnx_from_memory(std::span<const char> bytes, const onnx_options& options = {},
                                   const std::filesystem::path& model_dir = {}, const std::string& where = "<memory>") {
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw format_error(where + ": " + std::to_string(bytes.size()) +
                           " bytes exceed protobuf's 2 GiB message limit; keep the weights as external data");
    onnx_detail::pb::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw format_error(where + ": not an ONNX model (the protobuf message does not parse; truncated or another format)");
    return onnx_detail::importer(model, bytes.size(), where, model_dir, options).run();
}

// Builds a graph from an ONNX model file (opset 11-17); external data files are looked up next to it.
inline graph load_onnx(const std::filesystem::path& path, const onnx_options& options = {}) {
    namespace fs = std::filesystem;
    const std::string where = path.string();
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw io_error("cannot open '" + where + "': no such file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) throw io_error("cannot read the size of '" + where + "': " + ec.message());
    if (size > static_cast<std::uintmax_t>(std::numeric_limits<int>::max()))
        throw format_error(where + ": " + std::to_string(size) +
                           " bytes exceed protobuf's 2 GiB message limit; keep the weights as external data");
    std::vector<char> bytes(static_cast<std::size_t>(size));
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size))) throw io_error("cannot read '" + where + "'");
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    return load_onnx_from_memory(bytes, options, folder, where);
}

}  // namespace xddp::io
