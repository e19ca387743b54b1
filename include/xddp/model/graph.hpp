#pragma once
// graph: a DAG of named layers. Nodes are added in topological order (every input must exist
// already), so insertion order is the execution order. Shapes are checked as nodes are added.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xtensor/xadapt.hpp>

#include "xddp/core/checked.hpp"
#include "xddp/core/error.hpp"
#include "xddp/core/finite.hpp"
#include "xddp/core/layer.hpp"
#include "xddp/model/any_layer.hpp"

namespace xddp {

using node_id = std::size_t;

struct node {
    std::string name;
    std::optional<any_layer> layer;  // empty for the input node
    std::vector<node_id> inputs;
    std::vector<node_id> successors;
    shape_t shape;  // per sample, without the batch dimension
};

// Which activations a forward pass keeps.
enum class keep { output, all };

// The activations of one forward pass, indexed by node; nodes not kept hold an empty tensor.
struct activations {
    std::vector<activation> values;
    node_id output_node = 0;
    const activation& operator[](node_id id) const { return checked_at(values, id, "activations: node"); }
    const activation& output() const { return checked_at(values, output_node, "activations: output node"); }
};

class graph {
public:
    // shape: one input sample, without the batch dimension, e.g. {3, 32, 32}.
    explicit graph(shape_t input_shape, std::string input_name = "input") {
        if (input_shape.empty() || checked_element_count(input_shape, "graph: input") == 0)
            throw shape_error("graph: input shape " + to_string(input_shape) + " must have at least one element");
        nodes_.push_back({std::move(input_name), std::nullopt, {}, {}, std::move(input_shape)});
        index_.emplace(nodes_[0].name, 0);
    }

    node_id input() const noexcept { return 0; }
    node_id output() const noexcept { return nodes_.size() - 1; }
    std::size_t size() const noexcept { return nodes_.size(); }
    const shape_t& input_shape() const noexcept { return nodes_[0].shape; }
    std::span<const node> nodes() const noexcept { return nodes_; }
    const node& operator[](node_id id) const { return checked_at(nodes_, id, "graph: node"); }
    node& at(node_id id) { return checked_at(nodes_, id, "graph: node"); }

    std::optional<node_id> find(std::string_view name) const {
        auto it = index_.find(std::string(name));
        return it == index_.end() ? std::nullopt : std::optional<node_id>(it->second);
    }

    // Appends a layer fed by the given nodes; checks its input shapes now. Returns its id.
    node_id add(std::string name, any_layer layer, std::vector<node_id> inputs) {
        if (name.empty()) throw value_error("graph: a node needs a name");
        if (index_.contains(name)) throw value_error("graph: a node named '" + name + "' exists already");
        std::vector<shape_t> in_shapes;
        for (node_id i : inputs) {
            if (i >= nodes_.size())
                throw value_error("graph: node '" + name + "' reads node " + std::to_string(i) + ", which does not exist");
            in_shapes.push_back(with_batch(nodes_[i].shape, 1));
        }
        if (layer.arity() == any_arity ? inputs.empty() : inputs.size() != layer.arity())
            throw shape_error("layer '" + name + "' (" + std::string(layer.kind()) + "): expected " +
                              (layer.arity() == any_arity ? std::string("at least 1") : std::to_string(layer.arity())) +
                              " inputs, got " + std::to_string(inputs.size()));
        const shape_t out = output_shape_of(name, layer, in_shapes);
        const node_id id = nodes_.size();
        for (node_id i : inputs) nodes_[i].successors.push_back(id);
        nodes_.push_back({name, std::move(layer), std::move(inputs), {}, shape_t(out.begin() + 1, out.end())});
        index_.emplace(std::move(name), id);
        return id;
    }
    node_id add(std::string name, any_layer layer, node_id input) {
        return add(std::move(name), std::move(layer), std::vector<node_id>{input});
    }
    node_id add(std::string name, any_layer layer, node_id a, node_id b) {
        return add(std::move(name), std::move(layer), std::vector<node_id>{a, b});
    }

    // Gives the model a new input sample shape (e.g. {3, 112, 112} for a model built at 224) and re-derives
    // every node's shape. If some layer rejects its new input, throws shape_error naming the first such
    // layer (in execution order) and leaves the graph as it was.
    void set_input_shape(shape_t sample) {
        if (sample.empty() || checked_element_count(sample, "graph: input") == 0)
            throw shape_error("graph: input shape " + to_string(sample) + " must have at least one element");
        std::vector<shape_t> shapes(nodes_.size());
        shapes[0] = sample;
        std::vector<shape_t> in_shapes;
        for (node_id id = 1; id < nodes_.size(); ++id) {
            const node& n = nodes_[id];
            in_shapes.clear();
            for (node_id i : n.inputs) in_shapes.push_back(with_batch(shapes[i], 1));
            try {
                const shape_t out = output_shape_of(n.name, *n.layer, in_shapes);
                shapes[id] = shape_t(out.begin() + 1, out.end());
            } catch (const shape_error& e) {
                throw shape_error("input shape " + to_string(sample) + " does not fit the model: " + e.what());
            }
        }
        for (node_id id = 0; id < nodes_.size(); ++id) nodes_[id].shape = std::move(shapes[id]);
    }

    // Runs the graph on x, (N, ...) or one sample without the batch dimension. Throws shape_error if x
    // does not fit the input, value_error if x holds NaN or Inf or if a layer's output does (naming the
    // first such layer: one rule for every path that runs a model), resource_error if a layer's output
    // cannot be allocated.
    activations forward(const tensor_ref& x, keep what = keep::output) const {
        const tensor_ref batch = as_batch(x);
        check_finite(batch);
        activations acts;
        acts.values.resize(nodes_.size());
        acts.output_node = output();
        std::vector<std::size_t> pending(nodes_.size());
        for (node_id id = 0; id < nodes_.size(); ++id) pending[id] = nodes_[id].successors.size();
        std::vector<tensor_ref> inputs;
        for (node_id id = 1; id < nodes_.size(); ++id) {
            const node& n = nodes_[id];
            inputs.clear();
            for (node_id i : n.inputs) inputs.push_back(i == 0 ? batch : tensor_ref(acts.values[i]));
            try {
                n.layer->forward(inputs, acts.values[id]);
            } catch (const shape_error& e) {
                throw shape_error("layer '" + n.name + "': " + e.what());
            } catch (const value_error& e) {
                throw value_error("layer '" + n.name + "': " + e.what());
            } catch (const std::bad_alloc&) {
                shape_t out{batch.shape()[0]};
                out.insert(out.end(), n.shape.begin(), n.shape.end());
                throw resource_error("layer '" + n.name + "': cannot allocate its output of shape " + to_string(out) +
                                     " (" + std::to_string(element_count(out) * sizeof(float)) +
                                     " bytes); run smaller batches or a smaller input");
            }
            check_finite_output(id, acts.values[id]);
            if (what == keep::output)
                for (node_id i : n.inputs)
                    if (--pending[i] == 0 && i != acts.output_node) acts.values[i] = activation();
        }
        if (what == keep::all || acts.output_node == 0)  // the caller's input, copied only when asked for
            acts.values[0] = xt::adapt(batch.data(), batch.size(), xt::no_ownership(), batch.shape());
        return acts;
    }

    // The model output for x (N, ...).
    activation operator()(const tensor_ref& x) const {
        auto acts = forward(x, keep::output);
        return std::move(acts.values[acts.output_node]);
    }

private:
    // The layer's output shape (batch included), its shape_error prefixed with the node's name; a shape
    // whose element count does not fit in 64 bits is a shape_error too.
    static shape_t output_shape_of(const std::string& name, const any_layer& layer, std::span<const shape_t> in_shapes) {
        try {
            shape_t out = layer.output_shape(in_shapes);
            checked_element_count(out, "output");
            return out;
        } catch (const shape_error& e) {
            throw shape_error("layer '" + name + "': " + e.what());
        }
    }

    // The one rule for non-finite activations: the run stops at the first layer whose output holds one.
    void check_finite_output(node_id id, const activation& y) const {
        const std::size_t n = y.size(), bad = first_non_finite(y.data(), n);
        if (bad == n) return;
        const node& nd = nodes_[id];
        const std::size_t per_sample = std::max<std::size_t>(element_count(nd.shape), 1);
        throw value_error("layer '" + nd.name + "' (" + std::string(nd.layer->kind()) + "): its output holds " +
                          non_finite_name(y.data()[bad]) + " at element " + std::to_string(bad % per_sample) +
                          " of sample " + std::to_string(bad / per_sample) +
                          ", the first non-finite activation of the run; expected finite values (check the input "
                          "scale and the weights)");
    }

    static shape_t with_batch(const shape_t& s, std::size_t n) {
        shape_t out{n};
        out.insert(out.end(), s.begin(), s.end());
        return out;
    }

    tensor_ref as_batch(const tensor_ref& x) const {
        const shape_t& want = nodes_[0].shape;
        const shape_t& got = x.shape();
        if (got == want) return x.reshaped(with_batch(want, 1));
        const bool fits = got.size() == want.size() + 1 && std::equal(want.begin(), want.end(), got.begin() + 1);
        if (fits && got[0] > 0) return x;
        if (fits) throw shape_error("input '" + nodes_[0].name + "': the batch " + to_string(got) + " holds no sample; expected at least one");
        throw shape_error("input '" + nodes_[0].name + "': shape " + to_string(got) + " does not fit, expected (N, " +
                          to_string(want).substr(1));
    }

    void check_finite(const tensor_ref& x) const {
        const float* p = x.data();
        const std::size_t n = x.size(), per_sample = n / x.shape()[0];
        if (const std::size_t i = first_non_finite(p, n); i != n)
            throw value_error("input '" + nodes_[0].name + "': sample " + std::to_string(i / per_sample) +
                              " holds " + (std::isnan(p[i]) ? "NaN" : "Inf") + " at element " +
                              std::to_string(i % per_sample) + " of shape " + to_string(nodes_[0].shape) +
                              "; expected finite values");
    }

    std::vector<node> nodes_;
    std::unordered_map<std::string, node_id> index_;
};

}  // namespace xddp
