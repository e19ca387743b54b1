#pragma once
// Model metrics as JSON (FORMATS.md "Model metrics"): { "model", "convention", "metrics": [ {"key", "name",
// "unit", "value", "better"} ], "layers": [...] }. value is unscaled: MACs as an integer count.
// Optional part of xddp: needs nlohmann_json, as profile/json.hpp does.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "xddp/core/error.hpp"
#include "xddp/io/atomic_file.hpp"
#include "xddp/metrics/profiler.hpp"

namespace xddp::metrics {

inline nlohmann::ordered_json to_json(const profiler& p, std::span<const std::string> keys, bool with_layers = true) {
    nlohmann::ordered_json j;
    j["model"] = p.name();
    const mac_convention conv = p.options().convention;
    j["convention"] = conv == mac_convention::common ? "common" : "deeplite";
    j["metrics"] = nlohmann::ordered_json::array();
    for (const auto& k : keys) {
        const metric_info& m = p.info(k);
        const double v = p.value(k);
        nlohmann::ordered_json e;
        e["key"] = k;
        e["name"] = m.name;
        e["unit"] = m.unit;
        // Counts (MACs, parameters, bytes) as integers, so they read back exactly.
        if (m.count && v == std::floor(v) && std::abs(v) < 9.0e15) e["value"] = static_cast<std::int64_t>(v);
        else e["value"] = v;
        e["scaling"] = m.scaling;
        e["better"] = std::string(to_string(m.better_when));
        e["compare"] = m.compare_by == comparison::ratio ? "ratio" : "difference";
        j["metrics"].push_back(std::move(e));
    }
    if (with_layers) {
        j["layers"] = nlohmann::ordered_json::array();
        for (const auto& r : p.cost().layers) {
            nlohmann::ordered_json l;
            l["name"] = r.name;
            l["kind"] = r.kind;
            l["input_shapes"] = r.input_shapes;
            l["output_shape"] = r.output_shape;
            l["params"] = r.cost.params;
            l["macs"] = r.cost.macs(conv);
            l["macs_common"] = r.cost.macs_common;
            l["macs_deeplite"] = r.cost.macs_deeplite;
            l["activation_bytes"] = r.cost.activation_bytes;
            l["live_bytes"] = r.live_bytes;
            j["layers"].push_back(std::move(l));
        }
    }
    return j;
}

inline void write_json(std::ostream& out, const nlohmann::ordered_json& j) { out << j.dump(1) << '\n'; }

// Atomically (io/atomic_file.hpp): a failed write leaves any previous file as it was.
inline void write_json(const std::filesystem::path& file, const nlohmann::ordered_json& j) {
    io::write_atomically(file, [&](std::ostream& out) { write_json(out, j); });
}

}  // namespace xddp::metrics
