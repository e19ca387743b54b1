#pragma once
// shard_of: which items a process of a distributed run takes (distributed/mpi.hpp), without MPI.
// Items [0, n) are cut into whole units of `unit` items (a run's batches: a forward pass's bits depend
// on its batch size, so shards of whole batches compute exactly what one process computes) and the
// units into `parts` contiguous shards whose sizes differ by at most one unit, in part order.

#include <cstddef>
#include <string>

#include "xddp/core/error.hpp"

namespace xddp {

struct shard {
    std::size_t first = 0, last = 0;  // items [first, last)
    std::size_t size() const noexcept { return last - first; }
    bool empty() const noexcept { return first == last; }
    bool operator==(const shard&) const = default;
};

inline shard shard_of(std::size_t n, std::size_t parts, std::size_t part, std::size_t unit = 1) {
    if (parts == 0 || part >= parts)
        throw value_error("shard_of: part " + std::to_string(part) + " of " + std::to_string(parts) +
                          " parts; expected 0 <= part < parts");
    if (unit == 0) throw value_error("shard_of: a unit of 0 items; expected at least 1 (e.g. the batch size)");
    const std::size_t units = n / unit + (n % unit != 0);
    const auto item = [&](std::size_t p) {
        // units * p / parts without overflow for any realistic n
        const std::size_t u = units / parts * p + units % parts * p / parts;
        return u * unit < n ? u * unit : n;
    };
    return {item(part), item(part + 1)};
}

inline std::string to_string(const shard& s, const char* items = "inputs") {
    return std::string(items) + " [" + std::to_string(s.first) + ", " + std::to_string(s.last) + ")";
}

}  // namespace xddp
