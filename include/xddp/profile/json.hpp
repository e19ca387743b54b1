#pragma once
// Profile JSON (FORMATS.md "Profile (JSON)", format "xddp.profile/1"): a writer and a validating reader.
// Optional part of xddp: needs nlohmann_json (Debian nlohmann-json3-dev); the core headers do not.
//
// The writer streams the document itself, one layer per line, so that numbers have a fixed form: every
// weight and the threshold with 17 significant digits (an exact double round trip; integral values get a
// ".0" so they read back as floating point anywhere), counts and indices as integers. nlohmann_json
// escapes the strings and parses on reading. The reader checks everything a profile promises (format
// string, known kinds, sorted unique indices below the layer size, equal array lengths, synapse sources
// among the predecessors, finite weights) and throws format_error naming the layer and field.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "xddp/core/checked.hpp"
#include "xddp/core/error.hpp"
#include "xddp/io/atomic_file.hpp"
#include "xddp/io/input_file.hpp"
#include "xddp/profile/profile.hpp"
#include "xddp/profile/rules/common.hpp"

namespace xddp {

inline constexpr std::string_view profile_format = "xddp.profile/1";

namespace detail::profiles {

inline void write_json_number(std::ostream& os, double v) {
    if (!std::isfinite(v)) throw value_error("profile JSON: cannot write the non-finite number " + std::to_string(v));
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 17);
    const std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
    os << s;
    if (s.find_first_of(".e") == std::string_view::npos) os << ".0";
}

inline void write_json_string(std::ostream& os, const std::string& s) {
    os << nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <class T>
void write_json_integers(std::ostream& os, const std::vector<T>& v) {
    os << '[';
    for (std::size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
    os << ']';
}

inline void write_json_numbers(std::ostream& os, const std::vector<double>& v) {
    os << '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) os << ',';
        write_json_number(os, v[i]);
    }
    os << ']';
}

}  // namespace detail::profiles

inline void write_profile_json(std::ostream& os, const profile& p) {
    os << "{\"format\":\"" << profile_format << "\",\n\"neuron_type\":\"" << to_string(p.neuron_type)
       << "\",\n\"threshold\":";
    detail::profiles::write_json_number(os, p.threshold);
    os << ",\n\"num_inputs\":" << p.num_inputs << ",\n\"layers\":[";
    for (std::size_t li = 0; li < p.layers.size(); ++li) {
        const layer_profile& l = p.layers[li];
        os << (li ? ",\n" : "") << "{\"index\":" << l.index << ",\"name\":";
        detail::profiles::write_json_string(os, l.name);
        os << ",\"kind\":";
        detail::profiles::write_json_string(os, l.kind);
        os << ",\"shape\":";
        detail::profiles::write_json_integers(os, l.shape);
        os << ",\"predecessors\":";
        detail::profiles::write_json_integers(os, l.predecessors);
        os << ",\"neurons\":{\"size\":" << l.neurons.size << ",\"index\":";
        detail::profiles::write_json_integers(os, l.neurons.index);
        os << ",\"count\":";
        detail::profiles::write_json_integers(os, l.neurons.count);
        os << ",\"weight\":";
        detail::profiles::write_json_numbers(os, l.neurons.weight);
        os << '}';
        if (l.profiled) {
            os << ",\"synapses\":[";
            for (std::size_t k = 0; k < l.synapses.size(); ++k) {
                const synapse_set& s = l.synapses[k];
                os << (k ? "," : "") << "{\"from\":" << s.from << ",\"out\":";
                detail::profiles::write_json_integers(os, s.out);
                os << ",\"in\":";
                detail::profiles::write_json_integers(os, s.in);
                os << ",\"count\":";
                detail::profiles::write_json_integers(os, s.count);
                os << ",\"weight\":";
                detail::profiles::write_json_numbers(os, s.weight);
                os << '}';
            }
            os << ']';
        }
        os << '}';
    }
    os << "]}\n";
}

inline std::string to_json(const profile& p) {
    std::ostringstream os;
    write_profile_json(os, p);
    return os.str();
}

// Atomically (io/atomic_file.hpp): a failed write leaves any previous file as it was.
inline void save_profile_json(const std::filesystem::path& file, const profile& p) {
    io::write_atomically(file, [&](std::ostream& os) { write_profile_json(os, p); });
}

namespace detail::profiles {

using json = nlohmann::json;

class profile_json_reader {
public:
    profile read(const json& doc) {
        if (!doc.is_object()) fail("the document is not a JSON object");
        const json& format = field(doc, "format");
        if (!format.is_string() || format.get<std::string>() != profile_format)
            fail("\"format\" is " + excerpt(format.dump()) + ", expected \"" + std::string(profile_format) + "\"");
        profile p;
        const json& type = field(doc, "neuron_type");
        const std::string t = type.is_string() ? type.get<std::string>() : "";
        if (t == "channel") p.neuron_type = profile_neuron_type::channel;
        else if (t == "element") p.neuron_type = profile_neuron_type::element;
        else if (t == "mixed") p.neuron_type = profile_neuron_type::mixed;
        else fail("\"neuron_type\" is " + excerpt(type.dump()) + ", expected \"channel\", \"element\" or \"mixed\"");
        p.threshold = number(field(doc, "threshold"), "threshold");
        if (!(p.threshold > 0.0 && p.threshold <= 1.0))
            fail("\"threshold\" " + number_text(p.threshold) + " is outside (0, 1]");
        p.num_inputs = unsigned_value(field(doc, "num_inputs"), "num_inputs");
        const json& layers = field(doc, "layers");
        if (!layers.is_array()) fail("\"layers\" is not an array");
        for (const json& l : layers) {
            where_ = "layer at position " + std::to_string(p.layers.size()) + ": ";
            p.layers.push_back(read_layer(l, p));
        }
        where_.clear();
        return p;
    }

private:
    [[noreturn]] void fail(const std::string& what) const { throw format_error("profile JSON: " + where_ + what); }

    const json& field(const json& obj, const char* key) const {
        if (!obj.is_object()) fail(std::string("expected an object holding \"") + key + "\"");
        const auto it = obj.find(key);
        if (it == obj.end()) fail(std::string("missing \"") + key + "\"");
        return *it;
    }

    std::uint64_t unsigned_value(const json& v, const std::string& what) const {
        if (v.is_number_unsigned()) return v.get<std::uint64_t>();
        if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
        fail("\"" + what + "\" holds " + excerpt(v.dump()) + ", expected a non-negative integer");
    }

    double number(const json& v, const std::string& what) const {
        if (!v.is_number()) fail("\"" + what + "\" holds " + excerpt(v.dump()) + ", expected a number");
        const double d = v.get<double>();
        if (!std::isfinite(d)) fail("\"" + what + "\" holds a non-finite number");
        return d;
    }

    template <class T>
    std::vector<T> unsigned_array(const json& v, const std::string& what) const {
        if (!v.is_array()) fail("\"" + what + "\" is not an array");
        std::vector<T> out;
        out.reserve(v.size());
        for (const json& e : v) out.push_back(static_cast<T>(unsigned_value(e, what)));
        return out;
    }

    std::vector<double> number_array(const json& v, const std::string& what) const {
        if (!v.is_array()) fail("\"" + what + "\" is not an array");
        std::vector<double> out;
        out.reserve(v.size());
        for (const json& e : v) out.push_back(number(e, what));
        return out;
    }

    layer_profile read_layer(const json& j, const profile& p) {
        if (!j.is_object()) fail("is not an object");
        layer_profile l;
        l.index = unsigned_value(field(j, "index"), "index");
        where_ = "layer " + std::to_string(l.index) + ": ";
        if (!p.layers.empty() && l.index <= p.layers.back().index)
            fail("layers are not sorted by strictly increasing index (after layer " +
                 std::to_string(p.layers.back().index) + ")");
        const json& name = field(j, "name");
        if (!name.is_string()) fail("\"name\" is not a string");
        l.name = name.get<std::string>();
        where_ = "layer " + std::to_string(l.index) + " '" + excerpt(l.name) + "': ";
        const json& kind = field(j, "kind");
        l.kind = kind.is_string() ? kind.get<std::string>() : "";
        // Any layer type names its own kind (FORMATS.md: concat, channel_slice, a user's max_merge): a
        // snake_case name, not a closed list.
        const bool snake_case = !l.kind.empty() && l.kind.size() <= 64 && std::all_of(l.kind.begin(), l.kind.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        });
        if (!snake_case)
            fail("\"kind\" is " + excerpt(kind.dump()) +
                 ", expected a layer kind in snake_case (input, conv2d, linear, concat, ...) of at most 64 characters");
        l.shape = unsigned_array<std::size_t>(field(j, "shape"), "shape");
        if (l.shape.size() > 8) fail("\"shape\" has " + std::to_string(l.shape.size()) + " extents, expected at most 8");
        try {
            if (l.shape.empty() || checked_element_count(l.shape, "shape") == 0)
                fail("\"shape\" " + to_string(l.shape) + " is empty");
        } catch (const shape_error& e) {
            fail(e.what());
        }
        l.predecessors = unsigned_array<std::size_t>(field(j, "predecessors"), "predecessors");
        for (std::size_t k = 0; k < l.predecessors.size(); ++k)
            if (l.predecessors[k] >= l.index || (k && l.predecessors[k] <= l.predecessors[k - 1]))
                fail("\"predecessors\" must be ascending, distinct and below the layer's index");

        const json& nj = field(j, "neurons");
        neuron_set& n = l.neurons;
        n.size = unsigned_value(field(nj, "size"), "neurons.size");
        const std::size_t channels = neuron_count<channel_neurons>(l.shape), elements = element_count(l.shape);
        const bool size_ok = p.neuron_type == profile_neuron_type::channel   ? n.size == channels
                             : p.neuron_type == profile_neuron_type::element ? n.size == elements
                                                                             : (n.size == channels || n.size == elements);
        if (!size_ok)
            fail("\"neurons.size\" " + std::to_string(n.size) + " does not fit shape " + to_string(l.shape) + " with " +
                 std::string(to_string(p.neuron_type)) + " neurons");
        n.index = unsigned_array<std::size_t>(field(nj, "index"), "neurons.index");
        n.count = unsigned_array<std::uint64_t>(field(nj, "count"), "neurons.count");
        n.weight = number_array(field(nj, "weight"), "neurons.weight");
        if (n.count.size() != n.index.size())
            fail("\"neurons.count\" has " + std::to_string(n.count.size()) + " entries, \"neurons.index\" " +
                 std::to_string(n.index.size()));
        if (!n.weight.empty() && n.weight.size() != n.index.size())
            fail("\"neurons.weight\" has " + std::to_string(n.weight.size()) + " entries, \"neurons.index\" " +
                 std::to_string(n.index.size()) + " (expected equal, or none for counts only)");
        for (std::size_t k = 0; k < n.index.size(); ++k) {
            if (n.index[k] >= n.size)
                fail("\"neurons.index\" holds " + std::to_string(n.index[k]) + ", not below the size " +
                     std::to_string(n.size));
            if (k && n.index[k] <= n.index[k - 1])
                fail("\"neurons.index\" is not strictly ascending at position " + std::to_string(k));
        }

        const auto sj = j.find("synapses");
        if (sj != j.end()) {
            l.profiled = true;
            if (!sj->is_array()) fail("\"synapses\" is not an array");
            for (const json& e : *sj) l.synapses.push_back(read_synapses(e, l, p));
            std::sort(l.synapses.begin(), l.synapses.end(), [](const auto& a, const auto& b) { return a.from < b.from; });
            for (std::size_t k = 1; k < l.synapses.size(); ++k)
                if (l.synapses[k].from == l.synapses[k - 1].from)
                    fail("\"synapses\" holds two entries from layer " + std::to_string(l.synapses[k].from));
            // A predecessor without an entry has no synapses: keep one (empty) set per predecessor.
            for (std::size_t q : l.predecessors)
                if (!l.synapses_from(q)) {
                    synapse_set empty;
                    empty.from = q;
                    l.synapses.push_back(std::move(empty));
                }
            std::sort(l.synapses.begin(), l.synapses.end(), [](const auto& a, const auto& b) { return a.from < b.from; });
        }
        return l;
    }

    synapse_set read_synapses(const json& e, const layer_profile& l, const profile& p) const {
        synapse_set s;
        s.from = unsigned_value(field(e, "from"), "synapses.from");
        if (std::find(l.predecessors.begin(), l.predecessors.end(), s.from) == l.predecessors.end())
            fail("\"synapses\" come from layer " + std::to_string(s.from) + ", which is not a predecessor");
        const std::string what = "synapses (from " + std::to_string(s.from) + ").";
        s.out = unsigned_array<std::size_t>(field(e, "out"), what + "out");
        s.in = unsigned_array<std::size_t>(field(e, "in"), what + "in");
        s.count = unsigned_array<std::uint64_t>(field(e, "count"), what + "count");
        s.weight = number_array(field(e, "weight"), what + "weight");
        if (s.in.size() != s.out.size() || s.count.size() != s.out.size() || s.weight.size() != s.out.size())
            fail("\"" + what + "out/in/count/weight\" have different lengths (" + std::to_string(s.out.size()) + ", " +
                 std::to_string(s.in.size()) + ", " + std::to_string(s.count.size()) + ", " +
                 std::to_string(s.weight.size()) + ")");
        const layer_profile* pred = p.find(s.from);
        for (std::size_t k = 0; k < s.out.size(); ++k) {
            if (s.out[k] >= l.neurons.size)
                fail("\"" + what + "out\" holds " + std::to_string(s.out[k]) + ", not below the layer size " +
                     std::to_string(l.neurons.size));
            if (pred && s.in[k] >= pred->neurons.size)
                fail("\"" + what + "in\" holds " + std::to_string(s.in[k]) + ", not below layer " +
                     std::to_string(s.from) + "'s size " + std::to_string(pred->neurons.size));
            if (k && std::pair(s.out[k], s.in[k]) <= std::pair(s.out[k - 1], s.in[k - 1]))
                fail("\"" + what + "out/in\" are not sorted by (out, in) without duplicates at position " +
                     std::to_string(k));
        }
        return s;
    }

    std::string where_;
};

}  // namespace detail::profiles

// Parses a profile from JSON text; format_error on malformed or inconsistent content.
inline profile parse_profile_json(std::string_view text) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        throw format_error("profile JSON: not valid JSON: " + excerpt(e.what(), 200));
    }
    try {
        return detail::profiles::profile_json_reader{}.read(doc);
    } catch (const nlohmann::json::exception& e) {
        throw format_error("profile JSON: " + excerpt(e.what(), 200));
    }
}

inline profile read_profile_json(std::istream& is) {
    const std::string text((std::istreambuf_iterator<char>(is)), std::istreambuf_iterator<char>());
    return parse_profile_json(text);
}

inline profile load_profile_json(const std::filesystem::path& file) {
    const std::vector<char> bytes = io::read_regular_file(file, "profile");
    try {
        return parse_profile_json(std::string_view(bytes.data(), bytes.size()));
    } catch (const format_error& e) {
        throw format_error(file.string() + ": " + e.what());
    }
}

}  // namespace xddp
