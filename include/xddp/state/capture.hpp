#pragma once
// state_capture: TensorState's state capture as a pipeline stage (specs/tensorstate.md "Capture").
// Capture points are chosen by layer kind or node name, minus an exclude list (a name attached to
// explicitly overrides exclude); each captures its node's input ("before"), output ("after") or both,
// named <node>_pre_states / <node>_post_states, in model order (for "both": pre, then post). Every forward
// pass the pipeline runs feeds every point's state_counter; reset() clears them.
//
//   xddp::state_capture<> capture({.kinds = {"conv2d"}});   // attach_to=['Conv2d']
//   xddp::pipeline p(g, capture);
//   p.run(images, {.batch_size = 128});
//   for (const auto& point : p.stage<0>().points())
//       std::cout << point.name << ' ' << point.states.efficiency() << '\n';
//
// Unlike TensorState, capturing before a node whose input is the graph input works, counts are exact under
// any threading, no batch is dropped, and a changed width between batches is a shape_error.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/layer.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/state/counter.hpp"
#include "xddp/state/efficiency.hpp"
#include "xddp/state/hash.hpp"

namespace xddp {

// Where a capture point reads: the node's input, its output, or both (TensorState's method).
enum class capture_where { before, after, both };

inline constexpr std::string_view to_string(capture_where w) {
    switch (w) {
        case capture_where::before: return "before";
        case capture_where::after: return "after";
        case capture_where::both: return "both";
    }
    return "unknown";
}

inline capture_where parse_capture_where(std::string_view s) {
    if (s == "before") return capture_where::before;
    if (s == "after") return capture_where::after;
    if (s == "both") return capture_where::both;
    throw value_error("capture position '" + std::string(s) + "' is not one of before, after, both");
}

// Whether a layer is of the kind a name stands for: its own kind (conv2d, batch_norm, ...) or one of its
// aliases, such as the PyTorch class name a TensorState user writes in attach_to (Conv2d, BatchNorm2d, ReLU6).
inline bool has_kind(const any_layer& layer, std::string_view name) {
    if (layer.kind() == name) return true;
    const auto aliases = layer.aliases();
    return std::find(aliases.begin(), aliases.end(), name) != aliases.end();
}

struct capture_options {
    std::vector<std::string> kinds{};   // attach to every node of these kinds (has_kind) ...
    std::vector<std::string> names{};   // ... and to these nodes by name (these override exclude)
    std::vector<std::string> attach{};  // ... and to these, each a kind where a node has it, else a node name,
                                        //     else nothing (TensorState's attach_to of a class the model lacks)
    std::vector<std::string> exclude{}; // ... except these nodes
    capture_where where = capture_where::after;
    bool keep_states = false;         // keep every packed state too (state_counter::keep_states)

    // TensorState's attach_to list: each entry a layer kind (xddp or PyTorch spelling) or a node name,
    // told apart when the capture meets the model.
    static capture_options attach_to(std::span<const std::string> entries, std::vector<std::string> exclude = {},
                                     capture_where where = capture_where::after) {
        capture_options o;
        o.attach.assign(entries.begin(), entries.end());
        o.exclude = std::move(exclude);
        o.where = where;
        return o;
    }
};

// The attach entries of o that name neither a layer kind some node of g has nor a node of g: they capture
// nothing (as TensorState's attach_to of a module class the model does not use). The CLI reports them.
// Whether some node of g is of the kind `name` stands for.
inline bool graph_has_kind(const graph& g, std::string_view name) {
    return std::any_of(g.nodes().begin(), g.nodes().end(), [&](const node& n) { return n.layer && has_kind(*n.layer, name); });
}

inline std::vector<std::string> unmatched_attach_entries(const graph& g, const capture_options& o) {
    std::vector<std::string> unmatched;
    for (const std::string& e : o.attach)
        if (!graph_has_kind(g, e) && !g.find(e)) unmatched.push_back(e);
    return unmatched;
}

// One capture point: its name, the node it is attached to, the node whose activation it reads, and its states.
template <class Hash = exact_hash>
struct capture_point {
    std::string name;        // "<node>_pre_states" or "<node>_post_states"
    node_id node = 0;        // the node it is attached to
    node_id source = 0;      // the node whose output it captures (node itself for after, its input for before)
    capture_where where = capture_where::after;  // before or after
    std::size_t neurons = 0; // C of the captured activation
    state_counter<Hash> states;
};

template <class Hash = exact_hash>
class state_capture {
    static_assert(state_hash<Hash>,
                  "xddp::state_capture<Hash>: Hash is not a state-hashing policy; use xddp::exact_hash or "
                  "xddp::compact_hash");

public:
    using hash_policy = Hash;
    static constexpr keep needs = keep::all;

    explicit state_capture(capture_options options) : options_(std::move(options)) {
        if (options_.kinds.empty() && options_.names.empty() && options_.attach.empty())
            throw value_error("state_capture: nothing to attach to; give layer kinds (e.g. conv2d) or node names");
    }

    // Resolves the capture points on g; a later run on the same graph keeps counting into them.
    void start(const graph& g, std::size_t) {
        std::vector<capture_point<Hash>> resolved = resolve(g);
        const bool same = resolved.size() == points_.size() &&
                          std::equal(resolved.begin(), resolved.end(), points_.begin(), [](const auto& a, const auto& b) {
                              return a.name == b.name && a.source == b.source && a.neurons == b.neurons;
                          });
        if (same) return;
        for (const auto& p : points_)
            if (p.states.state_count() != 0)
                throw value_error("state_capture: started on a graph whose capture points differ from the ones "
                                  "holding states; reset() before capturing another model");
        points_ = std::move(resolved);
    }

    void consume(const activations& acts, std::size_t) {
        for (auto& p : points_) {
            if (p.source >= acts.values.size() || acts[p.source].size() == 0)
                throw value_error("state_capture: point '" + p.name + "' reads node " + std::to_string(p.source) +
                                  ", which this forward pass did not keep");
            try {
                p.states.add(acts[p.source]);
            } catch (const shape_error& e) {
                throw shape_error("state_capture: point '" + p.name + "': " + e.what());
            }
        }
    }

    void finish() {}

    // Adds another capture's states point by point (state_counter::merge): the captures of shards of one
    // data set, on one model with the same options, merge in any order into the capture of all of it.
    // The other capture's points must be this one's (same names and widths); a capture that has not
    // started yet takes them.
    void merge(const state_capture& other) {
        if (&other == this) throw value_error("state_capture::merge: a capture cannot be merged into itself");
        if (points_.empty()) {
            for (const auto& p : other.points_) {
                capture_point<Hash> q{p.name, p.node, p.source, p.where, p.neurons, state_counter<Hash>(p.neurons)};
                points_.push_back(std::move(q));
            }
        }
        if (other.points_.empty()) return;
        check_same_points(other.points_.size(), [&](std::size_t i) -> const std::string& { return other.points_[i].name; });
        for (std::size_t i = 0; i < points_.size(); ++i) points_[i].states.merge(other.points_[i].states);
    }

    // The points must be these, in this order: value_error naming the first difference.
    template <class NameOf>
    void check_same_points(std::size_t count, NameOf name_of) const {
        std::string known;
        for (const auto& p : points_) known += (known.empty() ? "" : ", ") + p.name;
        if (count != points_.size())
            throw value_error("state_capture: merging " + std::to_string(count) + " capture points into " +
                              std::to_string(points_.size()) + " (" + known +
                              "); captures merge only with the same model and capture options");
        for (std::size_t i = 0; i < count; ++i)
            if (name_of(i) != points_[i].name)
                throw value_error("state_capture: merging capture point '" + name_of(i) + "' where '" + points_[i].name +
                                  "' is; captures merge only with the same model and capture options");
    }

    // Forgets every captured state; the capture points stay.
    void reset() {
        for (auto& p : points_) p.states.reset();
    }

    const capture_options& options() const noexcept { return options_; }
    std::span<const capture_point<Hash>> points() const noexcept { return points_; }
    std::span<capture_point<Hash>> points() noexcept { return points_; }

    const capture_point<Hash>& point(std::string_view name) const {
        for (const auto& p : points_)
            if (p.name == name) return p;
        std::string known;
        for (const auto& p : points_) known += (known.empty() ? "" : ", ") + p.name;
        throw value_error("state_capture: no capture point '" + std::string(name) + "'; the points are: " +
                          (known.empty() ? "(none yet: run the pipeline first)" : known));
    }

    // Layer efficiencies entropy(alpha1) / C, or entropy(alpha1) / entropy(alpha2), in point order.
    std::vector<double> efficiencies(double alpha1 = 1.0, std::optional<double> alpha2 = std::nullopt) const {
        std::vector<double> e;
        for (const auto& p : points_) e.push_back(p.states.efficiency(alpha1, alpha2));
        return e;
    }

    // The geometric mean of the layer efficiencies (value_error when there are no points).
    double network_efficiency(double alpha1 = 1.0, std::optional<double> alpha2 = std::nullopt) const {
        const auto e = efficiencies(alpha1, alpha2);
        return xddp::network_efficiency(std::span<const double>(e));
    }

private:
    std::vector<capture_point<Hash>> resolve(const graph& g) const {
        const auto listed = [](const std::vector<std::string>& list, const std::string& name) {
            return std::find(list.begin(), list.end(), name) != list.end();
        };
        // attach entries: a kind where some node has it, else a node name, else nothing.
        std::vector<std::string> kinds = options_.kinds, names = options_.names;
        const std::vector<std::string> unmatched = unmatched_attach_entries(g, options_);
        for (const std::string& e : options_.attach)
            if (graph_has_kind(g, e)) kinds.push_back(e);
            else if (!listed(unmatched, e)) names.push_back(e);
        std::vector<std::string> unknown;
        for (const std::vector<std::string>* list : {&std::as_const(names), &options_.exclude})
            for (const std::string& name : *list)
                if (!g.find(name)) unknown.push_back(name);
        if (!unknown.empty()) {
            std::string bad, nodes;
            for (const auto& u : unknown) bad += (bad.empty() ? "'" : ", '") + u + "'";
            for (const node& n : g.nodes()) nodes += (nodes.empty() ? "" : ", ") + n.name;
            throw value_error("state_capture: no node named " + bad + " in the model; its nodes are: " + nodes);
        }
        std::vector<capture_point<Hash>> points;
        const auto add_point = [&](const node& n, node_id id, node_id source, capture_where where) {
            capture_point<Hash> p;
            p.name = n.name + (where == capture_where::before ? "_pre_states" : "_post_states");
            p.node = id;
            p.source = source;
            p.where = where;
            p.neurons = g[source].shape.front();
            p.states = state_counter<Hash>(p.neurons);
            p.states.keep_states(options_.keep_states);
            points.push_back(std::move(p));
        };
        const bool before = options_.where != capture_where::after, after = options_.where != capture_where::before;
        for (node_id id = 0; id < g.size(); ++id) {
            const node& n = g[id];
            const bool by_name = listed(names, n.name);
            const bool by_kind =
                n.layer && std::any_of(kinds.begin(), kinds.end(), [&](const std::string& k) { return has_kind(*n.layer, k); });
            if (!by_name && !(by_kind && !listed(options_.exclude, n.name))) continue;
            if (before) {
                if (n.inputs.size() != 1)
                    throw unsupported_error("state_capture: cannot capture before '" + n.name + "': it has " +
                                            std::to_string(n.inputs.size()) + " inputs" +
                                            (n.inputs.empty() ? " (it is the graph input; capture after it instead)"
                                                              : "; capture after its predecessors instead"));
                add_point(n, id, n.inputs.front(), capture_where::before);
            }
            if (after) add_point(n, id, id, capture_where::after);
        }
        if (points.empty()) {
            std::vector<std::string> seen;
            std::string kinds_seen, missing;
            for (const node& n : g.nodes())
                if (n.layer && !listed(seen, std::string(n.layer->kind()))) {
                    seen.emplace_back(n.layer->kind());
                    kinds_seen += (kinds_seen.empty() ? "" : ", ") + seen.back();
                }
            for (const std::string& e : unmatched) missing += (missing.empty() ? "'" : ", '") + e + "'";
            throw value_error("state_capture: no node of the model matches the capture options (kinds, names, attach, exclude)" +
                              (missing.empty() ? std::string() : "; the attach entries " + missing + " name no layer kind or node of it") +
                              "; the model's layer kinds are: " + kinds_seen);
        }
        return points;
    }

    capture_options options_;
    std::vector<capture_point<Hash>> points_;
};

}  // namespace xddp
