#pragma once
// State efficiency JSON (FORMATS.md "State efficiency", format "xddp.efficiency/1"). Optional part of
// xddp: needs nlohmann_json; the core headers do not.
//
//   { "format": "xddp.efficiency/1", "model": "lenet5", "state_hash": "exact", "num_inputs": 256, "alpha": 1.0,
//     "layers": [ { "name": "conv_1_post_states", "node": "conv_1", "where": "after", "neurons": 20,
//                   "samples": 147456, "distinct_states": 88013, "entropy_bits": 16.04, "efficiency": 0.80 } ],
//     "network_efficiency": 0.26, "accuracy": 0.9, "beta": 2, "aiq": 0.60 }
// accuracy and aiq are null when no labels were given. Doubles round-trip.

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "xddp/core/error.hpp"
#include "xddp/io/atomic_file.hpp"
#include "xddp/state/report.hpp"

namespace xddp {

inline constexpr std::string_view efficiency_format = "xddp.efficiency/1";

inline nlohmann::ordered_json to_json(const efficiency_report& r) {
    nlohmann::ordered_json j;
    j["format"] = efficiency_format;
    j["model"] = r.model;
    j["state_hash"] = r.state_hash;
    j["num_inputs"] = r.num_inputs;
    j["alpha"] = r.alpha;
    j["layers"] = nlohmann::ordered_json::array();
    for (const auto& l : r.layers) {
        nlohmann::ordered_json o;
        o["name"] = l.name;
        o["node"] = l.node;
        o["where"] = to_string(l.where);
        o["neurons"] = l.neurons;
        o["samples"] = l.samples;
        o["distinct_states"] = l.distinct_states;
        o["entropy_bits"] = l.entropy_bits;
        o["efficiency"] = l.efficiency;
        j["layers"].push_back(std::move(o));
    }
    j["network_efficiency"] = r.network_efficiency;
    j["accuracy"] = r.accuracy ? nlohmann::ordered_json(*r.accuracy) : nlohmann::ordered_json(nullptr);
    j["beta"] = r.beta;
    j["aiq"] = r.aiq ? nlohmann::ordered_json(*r.aiq) : nlohmann::ordered_json(nullptr);
    return j;
}

inline void write_efficiency_json(std::ostream& os, const efficiency_report& r) { os << to_json(r).dump(2) << '\n'; }

// Atomically (io/atomic_file.hpp): a failed write leaves any previous file as it was.
inline void write_efficiency_json(const std::filesystem::path& path, const efficiency_report& r) {
    io::write_atomically(path, [&](std::ostream& out) { write_efficiency_json(out, r); });
}

}  // namespace xddp
