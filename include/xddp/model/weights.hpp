#pragma once
// Weight loading from a folder of .npy files named after PyTorch state_dict keys
// ("features.0.weight.npy"): every parameter must be there, float32, with its exact shape and finite
// values; a file no layer asks for is an error too (num_batches_tracked is PyTorch bookkeeping, skipped).

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/io/atomic_file.hpp"
#include "xddp/io/npy.hpp"
#include "xddp/model/graph.hpp"

namespace xddp {

inline void load_weights(graph& g, const std::filesystem::path& folder) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw io_error("weights folder '" + folder.string() + "' does not exist");
    std::set<std::string> unused;
    // Error codes, not exceptions: a symbolic link loop or an unreadable entry is an io_error naming it.
    fs::directory_iterator it(folder, ec), end;
    if (ec) throw io_error("cannot list the weights folder '" + folder.string() + "': " + ec.message());
    for (; it != end; it.increment(ec)) {
        if (ec) throw io_error("cannot list the weights folder '" + folder.string() + "': " + ec.message());
        const std::string file = it->path().filename().string();
        if (!file.ends_with(".npy") || file.ends_with(".num_batches_tracked.npy")) continue;
        const bool regular = it->is_regular_file(ec);
        if (ec) throw io_error("weights file '" + it->path().string() + "': " + ec.message());
        if (!regular)
            throw io_error("weights file '" + it->path().string() + "' is " + io::file_kind(fs::status(it->path(), ec)) +
                           "; expected a regular .npy file");
        unused.insert(file.substr(0, file.size() - 4));
    }
    if (ec) throw io_error("cannot list the weights folder '" + folder.string() + "': " + ec.message());
    std::vector<std::string> missing;
    for (node_id id = 1; id < g.size(); ++id) {
        node& n = g.at(id);
        for (const parameter& p : n.layer->parameters()) {
            const std::string key = n.name + "." + p.name;
            const fs::path file = folder / (key + ".npy");
            if (!unused.erase(key)) {
                missing.push_back(key + " " + to_string(p.shape));
                continue;
            }
            const auto values = io::load_npy<float>(file);
            const shape_t got(values.shape().begin(), values.shape().end());
            if (got != p.shape)
                throw shape_error("layer '" + n.name + "': weight '" + key + "' has shape " + to_string(got) +
                                  ", expected " + to_string(p.shape));
            const auto bad = std::find_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
            if (bad != values.end())
                throw value_error("layer '" + n.name + "': weight '" + key + "' holds " +
                                  (std::isnan(*bad) ? "NaN" : "Inf") + " at flat index " +
                                  std::to_string(bad - values.begin()) + "; expected finite values");
            std::memcpy(p.data, values.data(), values.size() * sizeof(float));
        }
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        throw format_error("weights folder '" + folder.string() + "' lacks " + std::to_string(missing.size()) +
                           " tensor(s): " + list);
    }
    if (!unused.empty()) {
        std::string list;
        for (const auto& u : unused) list += (list.empty() ? "" : ", ") + u;
        throw format_error("weights folder '" + folder.string() + "' holds tensor(s) no layer of the model has: " + list);
    }
}

// Writes every parameter of g as <node>.<parameter>.npy into folder (created if needed).
// Every file appears, or (on an error) none (io/atomic_file.hpp).
inline void save_weights(graph& g, const std::filesystem::path& folder) {
    io::output_transaction out;
    out.create_directories(folder);
    for (node_id id = 1; id < g.size(); ++id) {
        node& n = g.at(id);
        for (const parameter& p : n.layer->parameters())
            out.write(folder / (n.name + "." + p.name + ".npy"),
                      [&](std::ostream& os) { io::write_npy<float>(os, p.data, p.shape); });
    }
    out.commit();
}

}  // namespace xddp
