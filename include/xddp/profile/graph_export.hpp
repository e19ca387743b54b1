#pragma once
// A profile as a graph, for graph tools (networkx, Gephi, igraph): neurons are nodes named "L:idx" (profile
// layer L, flat neuron index idx), synapses are directed weighted edges from the contributing neuron of
// the predecessor to the neuron it contributes to.
//  - GraphML: nodes carry layer, index, layer_name, count and weight (the neuron weight, 0 for a neuron that
//    only contributes); edges carry weight and count.
//  - Edge list: one "from to weight" line per synapse, e.g. "0:2 1:13 1".
// Numbers are written with 17 significant digits (exact for doubles).

#include <charconv>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>

#include "xddp/core/error.hpp"
#include "xddp/io/atomic_file.hpp"
#include "xddp/profile/profile.hpp"

namespace xddp {

namespace detail::profiles {

inline std::string graph_number(double v) {
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 17);
    return std::string(buf, static_cast<std::size_t>(r.ptr - buf));
}

inline std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

inline std::string node_name(std::size_t layer, std::size_t index) {
    return std::to_string(layer) + ":" + std::to_string(index);
}

template <class F>
void save_with(const std::filesystem::path& file, F&& write) {
    io::write_atomically(file, [&](std::ostream& os) { write(os); });
}

}  // namespace detail::profiles

inline void write_graphml(std::ostream& os, const profile& p) {
    os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
          "  <key id=\"layer\" for=\"node\" attr.name=\"layer\" attr.type=\"long\"/>\n"
          "  <key id=\"index\" for=\"node\" attr.name=\"index\" attr.type=\"long\"/>\n"
          "  <key id=\"layer_name\" for=\"node\" attr.name=\"layer_name\" attr.type=\"string\"/>\n"
          "  <key id=\"ncount\" for=\"node\" attr.name=\"count\" attr.type=\"long\"/>\n"
          "  <key id=\"nweight\" for=\"node\" attr.name=\"weight\" attr.type=\"double\"/>\n"
          "  <key id=\"ecount\" for=\"edge\" attr.name=\"count\" attr.type=\"long\"/>\n"
          "  <key id=\"eweight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
          "  <graph id=\"profile\" edgedefault=\"directed\">\n";
    for (const auto& l : p.layers) {
        const std::string name = detail::profiles::xml_escape(l.name);
        for (std::size_t k = 0; k < l.neurons.index.size(); ++k) {
            if (l.neurons.count[k] == 0) continue;
            os << "    <node id=\"" << detail::profiles::node_name(l.index, l.neurons.index[k]) << "\"><data key=\"layer\">"
               << l.index << "</data><data key=\"index\">" << l.neurons.index[k] << "</data><data key=\"layer_name\">"
               << name << "</data><data key=\"ncount\">" << l.neurons.count[k] << "</data><data key=\"nweight\">"
               << detail::profiles::graph_number(l.neurons.weight_at(k)) << "</data></node>\n";
        }
    }
    for (const auto& l : p.layers)
        for (const auto& s : l.synapses)
            for (std::size_t k = 0; k < s.size(); ++k) {
                if (s.count[k] == 0) continue;
                os << "    <edge source=\"" << detail::profiles::node_name(s.from, s.in[k]) << "\" target=\""
                   << detail::profiles::node_name(l.index, s.out[k]) << "\"><data key=\"ecount\">" << s.count[k]
                   << "</data><data key=\"eweight\">" << detail::profiles::graph_number(s.weight[k]) << "</data></edge>\n";
            }
    os << "  </graph>\n</graphml>\n";
}

inline void write_edge_list(std::ostream& os, const profile& p) {
    for (const auto& l : p.layers)
        for (const auto& s : l.synapses)
            for (std::size_t k = 0; k < s.size(); ++k)
                if (s.count[k] != 0)
                    os << detail::profiles::node_name(s.from, s.in[k]) << ' ' << detail::profiles::node_name(l.index, s.out[k]) << ' '
                       << detail::profiles::graph_number(s.weight[k]) << '\n';
}

inline void save_graphml(const std::filesystem::path& file, const profile& p) {
    detail::profiles::save_with(file, [&](std::ostream& os) { write_graphml(os, p); });
}

inline void save_edge_list(const std::filesystem::path& file, const profile& p) {
    detail::profiles::save_with(file, [&](std::ostream& os) { write_edge_list(os, p); });
}

}  // namespace xddp
