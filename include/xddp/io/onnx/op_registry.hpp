#pragma once
// The table of ONNX op importers: for each op type, the one function that imports a node of that type.
//
// Why this shape. Each op importer sits in its own header under io/onnx/ops/ and registers itself there,
// so a new operator is one new file plus one include line in io/onnx/ops.hpp, and the driver
// (io/onnx/importer.hpp) only looks the node's op type up here; it names no operator. In a header-only
// library the table must be one object in the whole program however many translation units include it:
// - the table is a function-local static of an inline function, built on first use, so it exists
//   whichever registration runs first;
// - each op header fills it through an `inline const bool` whose initializer calls register_builtin_op:
//   an inline variable is one object in the program (ODR-safe), so its initializer runs once, at
//   start-up. Inside a translation unit it runs before the initializers of variables defined after it,
//   so start-up code of a user that includes io/onnx.hpp already sees every built-in importer.
// Two built-in headers registering the same op type is a bug of ours and stops the program at start-up
// (std::logic_error). A user's register_onnx_op replaces any importer, built-in or not, whenever it runs.

#include <functional>
#include <initializer_list>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "xddp/io/onnx/tensor.hpp"

namespace xddp::io {

class onnx_import_context;

// Imports one node: checks its inputs and attributes, adds its layers to ctx's graph (or folds it) and
// sets its output (see io/onnx/import_context.hpp and, for examples, io/onnx/ops/).
using onnx_op_importer = std::function<void(onnx_import_context& ctx, const onnx_detail::pb::NodeProto& node)>;

namespace onnx_detail {

class op_table {
public:
    // "" for the default operator set (also spelled "ai.onnx"), else "domain::op_type".
    static std::string key(std::string_view op_type, std::string_view domain) {
        if (domain.empty() || domain == "ai.onnx") return std::string(op_type);
        return std::string(domain).append("::").append(op_type);
    }

    bool add(std::string key, onnx_op_importer importer, bool builtin) {
        std::unique_lock lock(mutex_);
        auto [it, fresh] = entries_.try_emplace(std::move(key));
        if (!fresh && builtin) {
            if (it->second.builtin) throw std::logic_error("xddp: two built-in ONNX importers for op type '" + it->first + "'");
            return true;  // a user replaced this built-in before its registration ran: theirs stays
        }
        it->second = {std::move(importer), builtin};
        return !fresh;
    }

    // The importer for the op type, or an empty function. A copy, so that an importer may register others.
    onnx_op_importer find(std::string_view op_type, std::string_view domain) const {
        std::shared_lock lock(mutex_);
        const auto it = entries_.find(key(op_type, domain));
        return it == entries_.end() ? onnx_op_importer{} : it->second.importer;
    }

    // "A, B and C": the op types there are importers for, in alphabetical order.
    std::string list() const {
        std::shared_lock lock(mutex_);
        std::string s;
        std::size_t k = 0;
        for (const auto& entry : entries_) {
            if (k++) s += k == entries_.size() ? " and " : ", ";
            s += entry.first;
        }
        return s;
    }

private:
    struct entry {
        onnx_op_importer importer;
        bool builtin = false;
    };
    mutable std::shared_mutex mutex_;
    std::map<std::string, entry, std::less<>> entries_;
};

inline op_table& op_importers() {
    static op_table table;
    return table;
}

// For io/onnx/ops/: `inline const bool conv_registered = register_builtin_op({"Conv"}, import_conv);`
inline bool register_builtin_op(std::initializer_list<std::string_view> op_types, const onnx_op_importer& importer) {
    for (std::string_view op : op_types) op_importers().add(std::string(op), importer, true);
    return true;
}

}  // namespace onnx_detail

// Imports nodes of `op_type` (in `domain`; empty or "ai.onnx" for the default operator set) with
// `importer` from now on, replacing the importer registered before, a built-in one included. Returns
// whether there was one. Lets a program import an op type xddp does not know, say a custom activation
// mapped to its own layer type, without editing xddp. Safe from any thread; an import already running
// may still use the importer it looked up before.
inline bool register_onnx_op(std::string_view op_type, onnx_op_importer importer, std::string_view domain = {}) {
    return onnx_detail::op_importers().add(onnx_detail::op_table::key(op_type, domain), std::move(importer), false);
}

}  // namespace xddp::io
