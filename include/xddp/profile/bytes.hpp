#pragma once
// Profiles as bytes, for transport between processes (distributed/mpi.hpp) (io/bytes.hpp's conventions):
//   profile_to_bytes / profile_from_bytes               format tag "xddpPRF1"
//   class_profile_sum_to_bytes / ..._from_bytes          format tag "xddpCPS1" (its blocks, each a profile)
// Doubles travel as their bits, so a profile read back is == the one written. Reading checks the
// structure a profile promises (equal lengths, ascending unique indices within the layer's size, synapses
// sorted by (out, in), layers ascending); anything else is a format_error.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/io/bytes.hpp"
#include "xddp/profile/class_profile.hpp"
#include "xddp/profile/profile.hpp"

namespace xddp {

inline constexpr std::string_view profile_bytes_tag = "xddpPRF1";
inline constexpr std::string_view class_profile_sum_bytes_tag = "xddpCPS1";

namespace detail::profiles {

inline void write_profile(io::byte_writer& w, const profile& p) {
    w.magic(profile_bytes_tag);
    w.u8(static_cast<std::uint8_t>(p.neuron_type));
    w.f64(p.threshold);
    w.u64(p.num_inputs);
    w.u64(p.layers.size());
    for (const layer_profile& l : p.layers) {
        w.u64(l.index);
        w.str(l.name);
        w.str(l.kind);
        w.u64s(l.shape);
        w.u64s(l.predecessors);
        w.u64(l.neurons.size);
        w.u64s(l.neurons.index);
        w.u64s(l.neurons.count);
        w.f64s(l.neurons.weight);
        w.u8(l.profiled ? 1 : 0);
        w.u64(l.synapses.size());
        for (const synapse_set& s : l.synapses) {
            w.u64(s.from);
            w.u64s(s.out);
            w.u64s(s.in);
            w.u64s(s.count);
            w.f64s(s.weight);
        }
    }
}

inline profile read_profile(io::byte_reader& r) {
    r.magic(profile_bytes_tag);
    profile p;
    const std::uint8_t type = r.u8("the neuron type");
    if (type > static_cast<std::uint8_t>(profile_neuron_type::mixed))
        r.fail("hold neuron type " + std::to_string(type) + ", expected 0 (channel), 1 (element) or 2 (mixed)");
    p.neuron_type = static_cast<profile_neuron_type>(type);
    p.threshold = r.f64("the threshold");
    p.num_inputs = static_cast<std::size_t>(r.u64("num_inputs"));
    const std::size_t layers = r.count("layers", 8);
    p.layers.resize(layers);
    for (std::size_t li = 0; li < layers; ++li) {
        layer_profile& l = p.layers[li];
        l.index = static_cast<std::size_t>(r.u64("a layer index"));
        if (li > 0 && l.index <= p.layers[li - 1].index)
            r.fail("list layer " + std::to_string(l.index) + " after layer " + std::to_string(p.layers[li - 1].index) +
                   "; layers must ascend");
        const std::string where = "layer " + std::to_string(l.index);
        l.name = r.str("a layer name");
        l.kind = r.str("a layer kind");
        l.shape = r.u64s<std::size_t>("a layer shape");
        l.predecessors = r.u64s<std::size_t>("predecessors");
        l.neurons.size = static_cast<std::size_t>(r.u64("a neuron count"));
        l.neurons.index = r.u64s<std::size_t>("neuron indices");
        l.neurons.count = r.u64s<std::uint64_t>("neuron counts");
        l.neurons.weight = r.f64s("neuron weights");
        const std::size_t n = l.neurons.index.size();
        if (l.neurons.count.size() != n || (!l.neurons.weight.empty() && l.neurons.weight.size() != n))
            r.fail("give " + where + " " + std::to_string(n) + " neuron indices, " +
                   std::to_string(l.neurons.count.size()) + " counts and " + std::to_string(l.neurons.weight.size()) +
                   " weights; expected as many counts and weights (or none) as indices");
        for (std::size_t k = 0; k < n; ++k)
            if (l.neurons.index[k] >= l.neurons.size || (k > 0 && l.neurons.index[k] <= l.neurons.index[k - 1]))
                r.fail("give " + where + " neuron index " + std::to_string(l.neurons.index[k]) +
                       " out of order or outside its " + std::to_string(l.neurons.size) + " neurons");
        const std::uint8_t profiled = r.u8("the profiled flag");
        if (profiled > 1) r.fail("hold profiled flag " + std::to_string(profiled) + " for " + where + ", expected 0 or 1");
        l.profiled = profiled == 1;
        const std::size_t sets = r.count("synapse sets", 8);
        l.synapses.resize(sets);
        for (std::size_t si = 0; si < sets; ++si) {
            synapse_set& s = l.synapses[si];
            s.from = static_cast<std::size_t>(r.u64("a synapse source"));
            s.out = r.u64s<std::size_t>("synapse outputs");
            s.in = r.u64s<std::size_t>("synapse inputs");
            s.count = r.u64s<std::uint64_t>("synapse counts");
            s.weight = r.f64s("synapse weights");
            const std::size_t m = s.out.size();
            if (s.in.size() != m || s.count.size() != m || s.weight.size() != m)
                r.fail("give the synapses of " + where + " from layer " + std::to_string(s.from) +
                       " lists of unequal lengths");
            for (std::size_t k = 1; k < m; ++k)
                if (std::pair(s.out[k], s.in[k]) <= std::pair(s.out[k - 1], s.in[k - 1]))
                    r.fail("give the synapses of " + where + " from layer " + std::to_string(s.from) +
                           " out of (out, in) order at entry " + std::to_string(k));
        }
    }
    return p;
}

}  // namespace detail::profiles

inline std::vector<std::uint8_t> profile_to_bytes(const profile& p) {
    io::byte_writer w;
    detail::profiles::write_profile(w, p);
    return w.take();
}

inline profile profile_from_bytes(std::span<const std::uint8_t> bytes) {
    io::byte_reader r(bytes, "profile bytes");
    profile p = detail::profiles::read_profile(r);
    r.finish();
    return p;
}

inline std::vector<std::uint8_t> class_profile_sum_to_bytes(const class_profile_sum& s) {
    io::byte_writer w;
    w.magic(class_profile_sum_bytes_tag);
    w.u64(s.blocks().size());
    for (const auto& b : s.blocks()) {
        w.u64(b.first);
        w.u8(static_cast<std::uint8_t>(b.level));
        detail::profiles::write_profile(w, b.sum);
    }
    return w.take();
}

// Blocks are checked as class_profile_sum::insert checks them (aligned, disjoint): value_error there
// becomes a format_error here.
inline class_profile_sum class_profile_sum_from_bytes(std::span<const std::uint8_t> bytes) {
    io::byte_reader r(bytes, "class profile sum bytes");
    r.magic(class_profile_sum_bytes_tag);
    const std::size_t n = r.count("blocks", 9);
    class_profile_sum s;
    for (std::size_t i = 0; i < n; ++i) {
        class_profile_sum::block b;
        b.first = r.u64("a block's first input");
        b.level = r.u8("a block's level");
        b.sum = detail::profiles::read_profile(r);
        try {
            s.insert(std::move(b));
        } catch (const value_error& e) {
            r.fail(std::string("hold an invalid block: ") + e.what());
        }
    }
    r.finish();
    return s;
}

}  // namespace xddp
