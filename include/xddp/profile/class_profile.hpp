#pragma once
// class_profile_sum: the class profile of many inputs, built so that it depends only on which inputs
// were added, never on the order they arrived in or how they were grouped: the same bits from one thread,
// many threads, or many processes each summing a shard (distributed/mpi.hpp).
//
// Profile addition averages weights ((w1*c1 + w2*c2) / (c1 + c2)), which rounds, so (a + b) + c and
// a + (b + c) differ in the last bits. This sum therefore fixes the shape of the addition tree: input i
// is leaf i of a binary tree over input indices, and a node over the aligned block [k*2^j, (k+1)*2^j) is
// always (left half) + (right half). It holds the complete blocks it has (at most two per level for a
// contiguous range, so O(log n) partial profiles), and combines two sibling blocks as soon as both are
// there. Merging two sums (disjoint inputs) is then associative and commutative bit for bit, and the
// total of the blocks [0, n) is the same whoever computed which block.
//
//   xddp::class_profile_sum sum;
//   sum.add(i, contribution_profile<P>(g, layers, acts, b, options));   // i: the input's index in the data set
//   other_shard_sum.merge_into(sum);  /  sum.merge(other_shard_sum);
//   xddp::profile p = sum.total();

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/profile/profile.hpp"

namespace xddp {

class class_profile_sum {
public:
    // The sum of the profiles of inputs [first, first + 2^level); first is a multiple of 2^level.
    struct block {
        std::uint64_t first = 0;
        unsigned level = 0;
        profile sum;

        std::uint64_t size() const noexcept { return std::uint64_t{1} << level; }
        std::uint64_t last() const noexcept { return first + size(); }  // one past
        bool operator==(const block&) const = default;
    };

    // Input `input`'s own profile (input: its index in the whole data set; each index at most once).
    void add(std::uint64_t input, profile p) { insert(block{input, 0, std::move(p)}); }

    // Adds the inputs of another sum (disjoint from this one's: value_error otherwise).
    class_profile_sum& merge(const class_profile_sum& other) {
        for (const block& b : other.blocks_) insert(b);
        return *this;
    }
    class_profile_sum& merge(class_profile_sum&& other) {
        for (block& b : other.blocks_) insert(std::move(b));
        other.blocks_.clear();
        return *this;
    }

    // A block as another sum holds it (read from bytes, received from another process): checked for
    // alignment and overlap, then combined with its sibling where that is here.
    void insert(block b) {
        if (b.level >= 63 || b.first % b.size() != 0 || b.first > UINT64_MAX - b.size())
            throw value_error("class_profile_sum: block of inputs [" + std::to_string(b.first) + ", +2^" +
                              std::to_string(b.level) + ") is not aligned to its size; blocks cover [k*2^j, (k+1)*2^j)");
        for (;;) {
            auto it = std::lower_bound(blocks_.begin(), blocks_.end(), b.first,
                                       [](const block& x, std::uint64_t f) { return x.first < f; });
            if ((it != blocks_.end() && it->first < b.last()) || (it != blocks_.begin() && std::prev(it)->last() > b.first)) {
                const block& o = (it != blocks_.end() && it->first < b.last()) ? *it : *std::prev(it);
                throw value_error("class_profile_sum: inputs [" + std::to_string(b.first) + ", " + std::to_string(b.last()) +
                                  ") overlap inputs [" + std::to_string(o.first) + ", " + std::to_string(o.last()) +
                                  ") already added; each input is added once");
            }
            const bool left_half = (b.first >> b.level) % 2 == 0;
            if (b.level < 62) {
                if (left_half && it != blocks_.end() && it->first == b.last() && it->level == b.level) {
                    b.sum += it->sum;  // (left) + (right)
                    blocks_.erase(it);
                    ++b.level;
                    continue;
                }
                if (!left_half && it != blocks_.begin() && std::prev(it)->level == b.level &&
                    std::prev(it)->last() == b.first) {
                    auto left = std::prev(it);
                    profile parent = std::move(left->sum);
                    parent += b.sum;
                    b = block{left->first, b.level + 1, std::move(parent)};
                    blocks_.erase(left);
                    continue;
                }
            }
            blocks_.insert(it, std::move(b));
            return;
        }
    }

    // The class profile: the blocks added up in ascending order of their inputs (empty profile if none).
    profile total() const {
        profile p;
        for (const block& b : blocks_) p += b.sum;
        return p;
    }

    // Number of inputs added.
    std::uint64_t inputs() const noexcept {
        std::uint64_t n = 0;
        for (const block& b : blocks_) n += b.size();
        return n;
    }
    bool empty() const noexcept { return blocks_.empty(); }
    // The complete blocks held, ascending and disjoint, no two of them siblings.
    const std::vector<block>& blocks() const noexcept { return blocks_; }
    void clear() noexcept { blocks_.clear(); }

    bool operator==(const class_profile_sum&) const = default;

private:
    std::vector<block> blocks_;
};

}  // namespace xddp
