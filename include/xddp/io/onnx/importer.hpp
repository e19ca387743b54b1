#pragma once
// The import's driver: checks the model (opset, input, output), finds the nodes the output depends on,
// and hands each to the importer the op table (io/onnx/op_registry.hpp) holds for its op type. It knows
// no operator; what each node becomes is up to io/onnx/ops/.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/io/onnx/import_context.hpp"
#include "xddp/io/onnx/op_registry.hpp"

namespace xddp::io::onnx_detail {

class importer {
public:
    // model_bytes: the size of the serialized model, which sets the budget for decoded tensors.
    importer(const pb::ModelProto& model, std::size_t model_bytes, std::string where, std::filesystem::path model_dir,
             onnx_options options)
        : model_(model), ctx_(model_bytes, std::move(where), std::move(model_dir), options), where_(ctx_.where_) {}

    graph run() {
        ctx_.opset_ = read_opset();
        if (!model_.has_graph()) throw format_error(where_ + ": the model has no graph");
        const pb::GraphProto& gp = model_.graph();
        for (const pb::TensorProto& t : gp.initializer()) {
            if (t.name().empty()) throw format_error(where_ + ": an initializer has no name");
            checked_dims(t, where_ + ": initializer '" + t.name() + "'");  // the data is checked when used
            if (!ctx_.values_.emplace(t.name(), &t).second)
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
            if (live_[static_cast<std::size_t>(k)]) import_node(gp.node(k), static_cast<std::size_t>(k));
        return finish(output);
    }

private:
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
            if (ctx_.values_.contains(vi.name())) continue;  // an initializer listed as an input (IR version < 4)
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
            ctx_.declared_batch_ = dims[0].dim_value();
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
        ctx_.graph_.emplace(sample, input->name());
        ctx_.values_[input->name()] = view{0, sample, {}};
    }

    // Nodes the output depends on, and how often each value is read by them.
    void mark_live(const pb::GraphProto& gp, const std::string& output) {
        const std::size_t n = static_cast<std::size_t>(gp.node_size());
        for (std::size_t k = 0; k < n; ++k)
            for (const std::string& o : gp.node(static_cast<int>(k)).output()) {
                if (o.empty()) continue;
                if (ctx_.values_.contains(o))
                    throw format_error(where_ + ": node '" + display_name(gp.node(static_cast<int>(k)), k) +
                                       "' produces '" + o + "', which is an initializer or the input");
                auto [it, fresh] = producer_.emplace(o, k);
                if (!fresh)
                    throw format_error(where_ + ": value '" + o + "' is produced twice, by nodes '" +
                                       display_name(gp.node(static_cast<int>(it->second)), it->second) + "' and '" +
                                       display_name(gp.node(static_cast<int>(k)), k) + "'");
            }
        if (!producer_.contains(output) && !ctx_.values_.contains(output))
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
                    if (!in.empty()) ++ctx_.uses_[in];
        ++ctx_.uses_[output];
    }

    void import_node(const pb::NodeProto& n, std::size_t k) {
        ctx_.index_ = k;
        ctx_.location_ = where_ + ": node '" + display_name(n, k) + "' (" + n.op_type() + ", opset " +
                         std::to_string(ctx_.opset_) + ")";
        const std::string& location = ctx_.location_;
        const onnx_op_importer op = op_importers().find(n.op_type(), n.domain());
        if (!op && !n.domain().empty() && n.domain() != "ai.onnx")
            throw unsupported_error(location + ": operators of domain '" + n.domain() + "' are not supported");
        if (n.output_size() == 0 || n.output(0).empty()) throw format_error(location + ": the node has no output");
        for (const std::string& in : n.input()) {
            if (in.empty() || ctx_.values_.contains(in) || ctx_.pending_.contains(in)) continue;
            const auto p = producer_.find(in);
            if (p != producer_.end())
                throw format_error(location + ": reads '" + in + "' before node '" +
                                   display_name(model_.graph().node(static_cast<int>(p->second)), p->second) +
                                   "' produces it; the nodes are not in topological order or form a cycle");
            throw format_error(location + ": reads '" + in + "', which no node, initializer or input provides");
        }
        // A node that reads the pending value of a pattern of several nodes is the pattern's to import.
        const auto pending = std::find_if(n.input().begin(), n.input().end(),
                                          [&](const std::string& in) { return ctx_.pending_.contains(in); });
        if (pending != n.input().end()) {
            const auto p = ctx_.pending_.find(*pending);
            for (const std::string& in : n.input())
                if (in != *pending && ctx_.pending_.contains(in))
                    throw unsupported_error(location + ": reads inner values of two patterns of several nodes ('" +
                                            *pending + "' of " + p->second.pattern + ", '" + in + "' of " +
                                            ctx_.pending_.at(in).pattern + "); xddp imports each only whole");
            const onnx_op_importer next = std::move(p->second.next);
            ctx_.pending_.erase(p);
            next(ctx_, n);
            return check_output_set(n);
        }
        if (!op)
            throw unsupported_error(location + ": op type '" + n.op_type() + "' is not supported; xddp imports " +
                                    op_importers().list());
        op(ctx_, n);
        check_output_set(n);
    }

    void check_output_set(const pb::NodeProto& n) const {
        if (!ctx_.values_.contains(n.output(0)) && !ctx_.pending_.contains(n.output(0)))
            throw std::logic_error(ctx_.location_ + ": the importer of op type '" + n.op_type() +
                                   "' set no output (onnx_import_context::emit, set_output or set_pending_output)");
    }

    graph finish(const std::string& output) {
        if (const auto p = ctx_.pending_.find(output); p != ctx_.pending_.end())
            throw unsupported_error(where_ + ": the model output '" + output + "' is an inner value of " + p->second.pattern +
                                    ", which xddp imports only whole");
        const value& v = ctx_.values_.at(output);
        if (!std::holds_alternative<view>(v))
            throw unsupported_error(where_ + ": the model output '" + output + "' is a constant, not computed from the input");
        ctx_.location_ = where_ + ": the model output '" + output + "'";
        const node_id out = ctx_.materialize(std::get<view>(v));
        graph& g = *ctx_.graph_;
        // Every other node feeding a successor also puts the output last, where a graph keeps it.
        for (node_id id = 0; id < g.size(); ++id)
            if (id != out && g[id].successors.empty())
                throw unsupported_error(where_ + ": node '" + g[id].name + "' does not feed the model output '" + output +
                                        "' (only its shape is read); xddp graphs have one output");
        return std::move(g);
    }

    const pb::ModelProto& model_;
    onnx_import_context ctx_;
    const std::string& where_;  // names the model in messages
    std::unordered_map<std::string, std::size_t> producer_;
    std::vector<bool> live_;
};

}  // namespace xddp::io::onnx_detail
