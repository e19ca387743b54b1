#pragma once
// State-hashing policies: how a state_counter keys the packed states it counts. A policy is a tag type
// chosen at compile time (state_counter<exact_hash>, state_capture<compact_hash>):
//
//   exact_hash    the packed bits are the key. Counts are exact and the distinct states can be listed;
//                 memory per distinct state: 32 to 64 bytes of table, plus (ceil(C / 64) + 1) * 8 of
//                 record when C > 64.
//   compact_hash  a 64-bit hash of the packed bits is the key: 32 to 64 bytes per distinct state whatever C.
//                 Two different states share a key with probability 2^-64 (the hash is treated as a random
//                 function; it is not meant to resist inputs crafted to collide), so among n distinct states
//                 the probability that any two merge is at most n(n-1)/2^65 (birthday bound): 3e-8 for
//                 n = 10^6, 3e-4 for n = 10^8. A merge lowers the distinct count and the entropy slightly.
//
// A policy says whether it is exact, how it hashes a packed state, and which table counts the keys; the
// state_hash concept checks all three, so a wrong type fails with one line naming what is missing.

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xddp/core/error.hpp"

namespace xddp {

namespace detail::states {

// 64x64 -> 128-bit multiply folded to 64 bits (the mixing step of wyhash).
inline std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) noexcept {
#if defined(__SIZEOF_INT128__)
    __extension__ using u128 = unsigned __int128;
    const u128 r = static_cast<u128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
#else
    const std::uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32, b_lo = b & 0xffffffffu, b_hi = b >> 32;
    const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + lo_hi;
    const std::uint64_t lo = (cross << 32) | (lo_lo & 0xffffffffu);
    const std::uint64_t hi = hi_hi + (hi_lo >> 32) + (cross >> 32);
    return lo ^ hi;
#endif
}

inline constexpr std::uint64_t hash_secret[4] = {0xa0761d6478bd642full, 0xe7037ed1a0b428dbull,
                                                 0x8ebc6af09c88c6e3ull, 0x589965cc75374cc3ull};

// A 64-bit hash of a packed state of n words (wyhash's construction over whole words).
inline std::uint64_t hash_words(const std::uint64_t* words, std::size_t n) noexcept {
    std::uint64_t seed = hash_secret[0] ^ n;
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2) seed = fold_multiply(words[i] ^ hash_secret[1], words[i + 1] ^ seed);
    const std::uint64_t last = i < n ? words[i] : 0;
    return fold_multiply(hash_secret[2] ^ n, fold_multiply(last ^ hash_secret[1], seed ^ hash_secret[3]));
}

inline void prefetch(const void* p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

inline constexpr std::size_t initial_capacity = 64;

// Linear probing at load <= 1/2: a hit costs one slot read, a new key one slot write.
inline bool needs_growth(std::size_t size, std::size_t capacity) noexcept { return (size + 1) * 2 > capacity; }

// The table of exact_hash (Hasher: a policy's static hash(words, n)). Slots are 16 bytes, a count or
// index of 0 marking an empty one. A state of one word (C <= 64) is its own key: the slot holds the word
// and its count. A wider state lives in a record (its words, then its count) and the slot holds its hash
// and 1 + the record's index, so the record's words are compared only when the 64-bit hashes agree.
template <class Hasher>
class exact_table {
public:
    void init(std::size_t words_per_state) {
        words_ = words_per_state;
        clear();
    }
    // Forgets every state, keeping the memory for the next ones.
    void clear() noexcept {
        records_.clear();
        size_ = 0;
        std::fill(slots_.begin(), slots_.end(), slot{});
    }
    std::size_t distinct() const noexcept { return size_; }

    // A hint that add(..., hash, ...) comes soon.
    void prefetch(std::uint64_t hash) const noexcept {
        if (!slots_.empty()) detail::states::prefetch(slots_.data() + (hash & (slots_.size() - 1)));
    }

    void add(const std::uint64_t* state, std::uint64_t hash, std::uint64_t count) {
        if (needs_growth(size_, slots_.size())) grow();
        const std::size_t mask = slots_.size() - 1;
        if (words_ == 1) {  // slot = {word, count}
            const std::uint64_t key = state[0];
            for (std::size_t pos = hash & mask;; pos = (pos + 1) & mask) {
                slot& s = slots_[pos];
                if (s.a == key && s.b) {
                    s.b += count;
                    return;
                }
                if (!s.b) {
                    s = {key, count};
                    ++size_;
                    return;
                }
            }
        }
        add_wide(state, hash, count);
    }

    // f(state words, hash, count) for every distinct state, in slot order.
    template <class F>
    void for_each(F&& f) const {
        const std::size_t stride = words_ + 1;
        for (const slot& s : slots_) {
            if (!s.b) continue;
            if (words_ == 1) {
                f(&s.a, Hasher::hash(&s.a, 1), s.b);
            } else {
                const std::uint64_t* r = records_.data() + (s.b - 1) * stride;
                f(r, s.a, r[words_]);
            }
        }
    }

private:
    struct slot {
        std::uint64_t a = 0, b = 0;
    };

    // A state of several words: slot = {hash, 1 + record index}.
    void add_wide(const std::uint64_t* state, std::uint64_t hash, std::uint64_t count) {
        const std::size_t mask = slots_.size() - 1, stride = words_ + 1;
        for (std::size_t pos = hash & mask;; pos = (pos + 1) & mask) {
            slot& s = slots_[pos];
            if (s.a == hash && s.b) {
                std::uint64_t* r = records_.data() + (s.b - 1) * stride;
                std::size_t w = 0;
                while (w < words_ && r[w] == state[w]) ++w;
                if (w == words_) {
                    r[words_] += count;
                    return;
                }
            } else if (!s.b) {
                s = {hash, ++size_};
                records_.insert(records_.end(), state, state + words_);
                records_.push_back(count);
                return;
            }
        }
    }

    void grow() {
        std::vector<slot> old(slots_.empty() ? initial_capacity : slots_.size() * 2);
        old.swap(slots_);
        const std::size_t mask = slots_.size() - 1;
        for (const slot& s : old) {
            if (!s.b) continue;
            std::size_t pos = (words_ == 1 ? Hasher::hash(&s.a, 1) : s.a) & mask;
            while (slots_[pos].b) pos = (pos + 1) & mask;
            slots_[pos] = s;
        }
    }

    std::size_t words_ = 1, size_ = 0;
    std::vector<slot> slots_;
    std::vector<std::uint64_t> records_;
};

// The table of compact_hash: slots hold a 64-bit hash and its count (0 = empty slot), nothing else.
class compact_table {
public:
    void init(std::size_t) { clear(); }
    void clear() noexcept {
        size_ = 0;
        std::fill(slots_.begin(), slots_.end(), slot{});
    }
    std::size_t distinct() const noexcept { return size_; }

    void prefetch(std::uint64_t hash) const noexcept {
        if (!slots_.empty()) detail::states::prefetch(slots_.data() + (hash & (slots_.size() - 1)));
    }

    void add(const std::uint64_t*, std::uint64_t hash, std::uint64_t count) {
        if (needs_growth(size_, slots_.size())) grow();
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t pos = hash & mask;; pos = (pos + 1) & mask) {
            slot& s = slots_[pos];
            if (s.hash == hash && s.count) {
                s.count += count;
                return;
            }
            if (!s.count) {
                s = {hash, count};
                ++size_;
                return;
            }
        }
    }

    // f(nullptr, hash, count) for every distinct key, in slot order.
    template <class F>
    void for_each(F&& f) const {
        for (const slot& s : slots_)
            if (s.count) f(static_cast<const std::uint64_t*>(nullptr), s.hash, s.count);
    }

private:
    struct slot {
        std::uint64_t hash = 0, count = 0;
    };

    void grow() {
        std::vector<slot> old(slots_.empty() ? initial_capacity : slots_.size() * 2);
        old.swap(slots_);
        const std::size_t mask = slots_.size() - 1;
        for (const slot& s : old) {
            if (!s.count) continue;
            std::size_t pos = s.hash & mask;
            while (slots_[pos].count) pos = (pos + 1) & mask;
            slots_[pos] = s;
        }
    }

    std::size_t size_ = 0;
    std::vector<slot> slots_;
};

}  // namespace detail::states

// What a counting table offers a state_counter: init(words per state), add(state words, hash, count),
// prefetch(hash) (a hint, may do nothing), distinct(), clear(), and for_each(f) calling
// f(const std::uint64_t* words or nullptr, hash, count) once per distinct key.
template <class T>
concept state_table = std::default_initializable<T> &&
    requires(T& t, const T& ct, const std::uint64_t* words, std::uint64_t hash, std::size_t n) {
        t.init(n);
        t.add(words, hash, hash);
        ct.prefetch(hash);
        t.clear();
        { ct.distinct() } -> std::convertible_to<std::size_t>;
    };

// A state-hashing policy: a tag type with a name, whether its keys are the exact states, the hash of a
// packed state of n 64-bit words, and the table that counts keys.
template <class P>
concept state_hash = requires(const std::uint64_t* words, std::size_t n) {
    { P::name } -> std::convertible_to<std::string_view>;
    { P::exact } -> std::convertible_to<bool>;
    { P::hash(words, n) } -> std::same_as<std::uint64_t>;
    typename P::table;
} && state_table<typename P::table>;

// The packed bits are the key: exact counts, distinct states listable.
struct exact_hash {
    static constexpr std::string_view name = "exact";
    static constexpr bool exact = true;
    static std::uint64_t hash(const std::uint64_t* words, std::size_t n) noexcept {
        return detail::states::hash_words(words, n);
    }
    using table = detail::states::exact_table<exact_hash>;
};

// A 64-bit hash of the packed bits is the key (collision bound at the top of this file).
struct compact_hash {
    static constexpr std::string_view name = "compact64";
    static constexpr bool exact = false;
    static std::uint64_t hash(const std::uint64_t* words, std::size_t n) noexcept {
        return detail::states::hash_words(words, n);
    }
    using table = detail::states::compact_table;
};

namespace detail::states {

// The table of a policy; compact_table for a type that is not one, so that a wrong policy stops at the
// state_counter's static_assert instead of a cascade of errors.
template <class P>
struct table_of {
    using type = compact_table;
};
template <class P>
    requires state_hash<P>
struct table_of<P> {
    using type = typename P::table;
};

}  // namespace detail::states

}  // namespace xddp
