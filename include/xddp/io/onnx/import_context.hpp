#pragma once
// The state of one ONNX import that the op importers (io/onnx/ops/) share: the graph being built, the
// table of named ONNX values (initializers, folded constants, activations seen as views), the budget
// for decoded tensors, and how layers are named and added. An op importer checks its node's inputs
// here, reads them as activations or constants, adds its layer with emit() and so sets its output; the
// driver (io/onnx/importer.hpp) fills the value table and walks the nodes.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/io/onnx/attributes.hpp"
#include "xddp/io/onnx/names.hpp"
#include "xddp/io/onnx/op_registry.hpp"
#include "xddp/io/onnx/options.hpp"
#include "xddp/io/onnx/tensor.hpp"
#include "xddp/layers/flatten.hpp"
#include "xddp/model/graph.hpp"

namespace xddp::io {

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

// The node's name, or "#k" for the k-th node when it has none.
inline std::string display_name(const pb::NodeProto& n, std::size_t k) {
    return n.name().empty() ? std::string("#").append(std::to_string(k)) : n.name();
}

class importer;

}  // namespace onnx_detail

class onnx_import_context {
public:
    using view = onnx_detail::view;
    using value = onnx_detail::value;
    using constant_ptr = onnx_detail::constant_ptr;
    using NodeProto = onnx_detail::pb::NodeProto;

    // model_bytes: the size of the serialized model, which sets the budget for decoded tensors. `where`
    // names the model in messages; external tensor data is read from model_dir.
    onnx_import_context(std::size_t model_bytes, std::string where, std::filesystem::path model_dir, onnx_options options)
        : where_(std::move(where)),
          model_dir_(std::move(model_dir)),
          options_(options),
          budget_(base_budget + 4 * model_bytes) {}

    // ---- the node being imported -------------------------------------------------------------------

    // Names the node in messages: "model.onnx: node '/conv1/Conv' (Conv, opset 13)".
    const std::string& location() const { return location_; }
    std::string display_name(const NodeProto& n) const { return onnx_detail::display_name(n, index_); }
    int opset() const { return opset_; }
    const onnx_options& options() const { return options_; }
    // The batch size the model input declares, if it is not symbolic.
    std::optional<std::int64_t> declared_batch() const { return declared_batch_; }
    onnx_detail::node_attributes attributes(const NodeProto& n) const { return {n, location_}; }

    // ---- inputs and outputs ------------------------------------------------------------------------

    void expect_inputs(const NodeProto& n, int min, int max) const {
        if (n.input_size() < min || n.input_size() > max)
            throw format_error(location_ + ": has " + std::to_string(n.input_size()) + " inputs, expected " +
                               (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)));
        for (int i = 0; i < min; ++i)
            if (n.input(i).empty()) throw format_error(location_ + ": required input " + std::to_string(i) + " is empty");
    }
    static bool has_input(const NodeProto& n, int i) { return i < n.input_size() && !n.input(i).empty(); }

    // Optional outputs (MaxPool's indices, Dropout's mask, training outputs) must not be read.
    void expect_single_output(const NodeProto& n) const {
        for (int o = 1; o < n.output_size(); ++o)
            if (!n.output(o).empty() && uses_.contains(n.output(o)))
                throw unsupported_error(location_ + ": output " + std::to_string(o) + " ('" + n.output(o) +
                                        "') is read by another node; xddp imports only the first output");
    }

    // How many inputs of the nodes that feed the model output read the named value (the output counts once).
    std::size_t readers(const std::string& name) const {
        const auto it = uses_.find(name);
        return it == uses_.end() ? 0 : it->second;
    }

    // The value of input i (which the driver has checked exists).
    const value& input(const NodeProto& n, int i) const { return values_.at(n.input(i)); }
    bool is_activation(const NodeProto& n, int i) const { return std::holds_alternative<view>(input(n, i)); }

    // Input i as an activation computed from the model input, or an unsupported_error.
    const view& activation(const NodeProto& n, int i) const {
        const value& v = input(n, i);
        if (const view* a = std::get_if<view>(&v)) return *a;
        throw unsupported_error(location_ + ": input " + std::to_string(i) + " ('" + n.input(i) +
                                "') is a constant; xddp imports " + n.op_type() + " on activations computed from the model input");
    }

    // Input i as a constant known at import (an initializer is decoded on first use), or an unsupported_error.
    constant_ptr constant_input(const NodeProto& n, int i, std::string_view what) {
        const value& v = input(n, i);
        if (const auto* c = std::get_if<constant_ptr>(&v)) return *c;
        if (const auto* t = std::get_if<const onnx_detail::pb::TensorProto*>(&v))
            return decode_tensor(**t, "initializer '" + n.input(i) + "'");
        throw unsupported_error(location_ + ": " + std::string(what) + " '" + n.input(i) +
                                "' is computed at run time; xddp needs it as an initializer or constant");
    }

    void set_output(const NodeProto& n, value v) { values_[n.output(0)] = std::move(v); }
    // What set_output gave n's first output.
    const value& output(const NodeProto& n) const { return values_.at(n.output(0)); }
    // Output k of a node with several (Split).
    void set_output(const NodeProto& n, int k, value v) { values_[n.output(k)] = std::move(v); }

    // ---- tensors held and the budget ---------------------------------------------------------------

    // Every decoded or folded tensor counts against a budget of a few times the model's own size (plus
    // its external data), so that a small file cannot make the import hold gigabytes: reusing one large
    // initializer in thousands of nodes, or a chain of Concats doubling a constant.
    static constexpr std::size_t base_budget = std::size_t{256} << 20;

    void spend(std::size_t elements, std::size_t element_bytes) {
        const std::size_t bytes = elements > onnx_detail::max_elements ? std::numeric_limits<std::size_t>::max() / 2
                                                                       : elements * element_bytes;
        if (bytes > budget_ - std::min(spent_, budget_))
            throw unsupported_error(location_ + ": the tensors the import holds would exceed " + std::to_string(budget_) +
                                    " bytes (256 MiB + 4 x the model's size and external data); xddp does not import "
                                    "models that reuse or fold large tensors this often");
        spent_ += bytes;
    }

    // t decoded, counted against the budget; `what` names it after the model ("initializer 'fc.weight'").
    constant_ptr decode_tensor(const onnx_detail::pb::TensorProto& t, const std::string& what) {
        namespace pb = onnx_detail::pb;
        const shape_t dims = onnx_detail::checked_dims(t, where_ + ": " + what);
        const std::size_t elements = element_count(dims);
        const std::size_t bytes = t.data_type() == pb::TensorProto_DataType_FLOAT ? 4 : 8;  // as decoded
        if (t.data_location() == pb::TensorProto_DataLocation_EXTERNAL && external_seen_.insert(&t).second)
            budget_ += 4 * elements * bytes;  // data outside the model file: allow for it once
        spend(elements, bytes);
        return std::make_shared<const onnx_detail::constant>(onnx_detail::decode(t, where_ + ": " + what, model_dir_));
    }

    // ---- the graph being built ---------------------------------------------------------------------

    const xddp::graph& imported_graph() const { return *graph_; }
    xddp::graph& imported_graph() { return *graph_; }
    const shape_t& shape_of(node_id id) const { return (*graph_)[id].shape; }

    // `base`, or `base` with the first free "_1", "_2", ... appended.
    std::string unique_name(std::string base) {
        if (!graph_->find(base)) return base;
        std::size_t& k = next_suffix_[base];  // remembered, so thousands of clashes stay linear
        for (++k;; ++k)
            if (std::string name = base + "_" + std::to_string(k); !graph_->find(name)) return name;
    }

    // The layer name for the node (before making it unique): its module path, or its name, or "Op_k".
    std::string base_name(const NodeProto& n, std::string_view suffix = {}) const {
        std::string name = options_.module_names ? onnx_detail::layer_name(n.name(), suffix) : n.name();
        return name.empty() ? n.op_type() + "_" + std::to_string(index_) : name;
    }

    // build(), with a layer's rejected option turned into a format_error that names the node.
    template <class F>
    auto make_layer(F build) const {
        try {
            return build();
        } catch (const value_error& e) {
            throw format_error(location_ + ": " + e.what());
        }
    }

    node_id add_layer(std::string name, any_layer layer, std::vector<node_id> inputs) {
        node_id id;
        try {
            id = graph_->add(unique_name(std::move(name)), std::move(layer), std::move(inputs));
        } catch (const shape_error& e) {
            throw format_error(location_ + ": " + e.what());
        } catch (const value_error& e) {
            throw format_error(location_ + ": " + e.what());
        }
        const shape_t& s = (*graph_)[id].shape;
        if (onnx_detail::saturated_count(s) > onnx_detail::max_elements)
            throw format_error(location_ + ": output shape (N, " + xddp::to_string(s).substr(1) + " has more than " +
                               std::to_string(onnx_detail::max_elements) + " elements per sample");
        return id;
    }

    // Adds a layer for the node and makes its output the node's output.
    node_id emit(const NodeProto& n, any_layer layer, std::vector<node_id> inputs, std::string_view suffix = {}) {
        const node_id id = add_layer(base_name(n, suffix), std::move(layer), std::move(inputs));
        set_output(n, view{id, (*graph_)[id].shape, {}});
        return id;
    }

    // Adds an element-wise layer on x, whose output keeps x's view: relu(flatten(x)) is flatten(relu(x)).
    node_id emit_elementwise(const NodeProto& n, any_layer layer, const view& x) {
        const view seen = x;  // x may live in the value table that set_output changes
        const node_id id = add_layer(base_name(n), std::move(layer), {seen.node});
        set_output(n, view{id, seen.shape, seen.origin});
        return id;
    }

    // A whole importer of a one-input element-wise op: checks there is one input, an activation, then adds
    // the layer make_layer() returns (it may read attributes) with emit_elementwise.
    template <class Make>
    node_id import_elementwise(const NodeProto& n, Make make_layer) {
        expect_inputs(n, 1, 1);
        const view& x = activation(n, 0);
        return emit_elementwise(n, make_layer(), x);
    }

    // The node holding v with the shape ONNX sees: v's node, or a flatten of it.
    node_id materialize(const view& v) {
        const shape_t& actual = (*graph_)[v.node].shape;
        if (actual == v.shape) return v.node;
        if (v.shape.size() != 1)
            throw unsupported_error(location_ + ": reads a tensor reshaped from (N, " + xddp::to_string(actual).substr(1) +
                                    " to (N, " + xddp::to_string(v.shape).substr(1) +
                                    "; xddp layers read reshaped tensors only as flattened (N, features)");
        if (auto it = flattened_.find(v.node); it != flattened_.end()) return it->second;
        const node_id id = add_layer(v.origin.empty() ? "flatten" : v.origin, flatten{}, {v.node});
        flattened_.emplace(v.node, id);
        return id;
    }

    // ---- patterns of several nodes ------------------------------------------------------------------

    // A node that starts a pattern of several nodes (PyTorch's GELU: Div, Erf, Add, Mul, Mul) leaves its
    // output pending instead of setting it: the one node that reads it is then imported by `next` instead of
    // by the importer of its op type, and `next` sets its own output or leaves it pending in turn. So the
    // pattern is checked node by node as the driver reaches them (constants included, which PyTorch writes
    // just before the node that reads them), and a node that breaks it fails in `next`, named. `pattern`
    // names it in the messages of a pending value read twice or left as the model output.
    void set_pending_output(const NodeProto& n, std::string pattern, onnx_op_importer next) {
        const std::string& name = n.output(0);
        if (const std::size_t k = uses_.contains(name) ? uses_.at(name) : 0; k != 1)
            throw unsupported_error(location_ + ": its output '" + name + "' is read " + std::to_string(k) +
                                    " times; xddp imports " + n.op_type() + " here only as part of " + pattern +
                                    ", whose inner values are read once, by the pattern's next node");
        pending_[name] = {std::move(pattern), std::move(next)};
    }

    // State an op family keeps for the whole import (e.g. which linear layers a MatMul made without a
    // bias, for the Add that may follow): one default-constructed T per import, made on first use.
    template <class T>
    T& state() {
        std::shared_ptr<void>& slot = op_state_[std::type_index(typeid(T))];
        if (!slot) slot = std::make_shared<T>();
        return *static_cast<T*>(slot.get());
    }

private:
    friend class onnx_detail::importer;  // fills the value table and the graph's input, walks the nodes

    std::string where_;
    std::filesystem::path model_dir_;
    onnx_options options_;
    int opset_ = 0;
    std::size_t index_ = 0;
    std::string location_;
    std::optional<std::int64_t> declared_batch_;
    std::optional<xddp::graph> graph_;
    std::unordered_map<std::string, value> values_;
    std::unordered_map<std::string, std::size_t> uses_;
    std::unordered_map<node_id, node_id> flattened_;
    std::unordered_map<std::string, std::size_t> next_suffix_;
    std::unordered_set<const onnx_detail::pb::TensorProto*> external_seen_;
    std::unordered_map<std::type_index, std::shared_ptr<void>> op_state_;
    struct pending_value {
        std::string pattern;
        onnx_op_importer next;
    };
    std::unordered_map<std::string, pending_value> pending_;
    std::size_t budget_;
    std::size_t spent_ = 0;
};

}  // namespace xddp::io
