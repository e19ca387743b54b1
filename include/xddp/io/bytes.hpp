#pragma once
// byte_writer / byte_reader: the wire format of xddp's transportable values (profiles, state counters,
// sensitivity rows) when they travel between processes (distributed/mpi.hpp) or to a file. Every value
// starts with an 8-byte magic naming what it is and its format version; integers are little-endian
// fixed-width, doubles their IEEE-754 bits, strings and arrays length-prefixed. The reader checks every
// length against the bytes left, so truncated or malformed input is a format_error, never a read past
// the end or a huge allocation.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"

namespace xddp::io {

class byte_writer {
public:
    void magic(std::string_view m) { raw(m.data(), m.size()); }
    void u8(std::uint8_t v) { bytes_.push_back(v); }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
    void str(std::string_view s) {
        u64(s.size());
        raw(s.data(), s.size());
    }
    // A length-prefixed byte block (a nested value).
    void block(std::span<const std::uint8_t> b) {
        u64(b.size());
        raw(b.data(), b.size());
    }
    template <class T>
    void u64s(const std::vector<T>& v) {
        u64(v.size());
        for (const T& x : v) u64(static_cast<std::uint64_t>(x));
    }
    void f64s(const std::vector<double>& v) {
        u64(v.size());
        for (double x : v) f64(x);
    }

    std::vector<std::uint8_t>& bytes() noexcept { return bytes_; }
    std::vector<std::uint8_t> take() noexcept { return std::move(bytes_); }

private:
    void raw(const void* p, std::size_t n) {
        const auto* b = static_cast<const std::uint8_t*>(p);
        bytes_.insert(bytes_.end(), b, b + n);
    }
    std::vector<std::uint8_t> bytes_;
};

class byte_reader {
public:
    // what: the value being read, for error messages ("profile bytes").
    byte_reader(std::span<const std::uint8_t> bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

    void magic(std::string_view m) {
        need(m.size(), "its format tag");
        if (std::memcmp(bytes_.data() + pos_, m.data(), m.size()) != 0) {
            std::string got;
            for (std::size_t i = 0; i < m.size(); ++i) {
                const char c = static_cast<char>(bytes_[pos_ + i]);
                got += c >= 32 && c < 127 ? c : '?';
            }
            fail("start with '" + got + "', expected the format tag '" + std::string(m) +
                 "' (another value, or another format version)");
        }
        pos_ += m.size();
    }
    std::uint8_t u8(const char* field) {
        need(1, field);
        return bytes_[pos_++];
    }
    std::uint64_t u64(const char* field) {
        need(8, field);
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= std::uint64_t{bytes_[pos_ + i]} << (8 * i);
        pos_ += 8;
        return v;
    }
    double f64(const char* field) { return std::bit_cast<double>(u64(field)); }
    // A count of items of at least item_bytes each that must still fit in the bytes left.
    std::size_t count(const char* field, std::size_t item_bytes) {
        const std::uint64_t n = u64(field);
        if (item_bytes && n > remaining() / item_bytes)
            fail("declare " + std::to_string(n) + " entries of " + field + " but only " +
                 std::to_string(remaining()) + " bytes follow");
        return static_cast<std::size_t>(n);
    }
    std::string str(const char* field) {
        const std::size_t n = count(field, 1);
        std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
        pos_ += n;
        return s;
    }
    std::span<const std::uint8_t> block(const char* field) {
        const std::size_t n = count(field, 1);
        const auto b = bytes_.subspan(pos_, n);
        pos_ += n;
        return b;
    }
    template <class T>
    std::vector<T> u64s(const char* field) {
        const std::size_t n = count(field, 8);
        std::vector<T> v(n);
        for (auto& x : v) x = static_cast<T>(u64(field));
        return v;
    }
    std::vector<double> f64s(const char* field) {
        const std::size_t n = count(field, 8);
        std::vector<double> v(n);
        for (auto& x : v) x = f64(field);
        return v;
    }

    std::size_t remaining() const noexcept { return bytes_.size() - pos_; }
    // Every byte must have been read: trailing bytes mean the value was not what the reader expected.
    void finish() const {
        if (remaining() != 0) fail("hold " + std::to_string(remaining()) + " bytes past the end of the value");
    }
    [[noreturn]] void fail(const std::string& why) const {
        throw format_error(what_ + " (" + std::to_string(bytes_.size()) + " bytes): at byte " + std::to_string(pos_) +
                           " they " + why);
    }

private:
    void need(std::size_t n, const char* field) const {
        if (n > remaining())
            fail("end before " + std::string(field) + " (" + std::to_string(n) + " bytes needed, " +
                 std::to_string(remaining()) + " left): truncated");
    }

    std::span<const std::uint8_t> bytes_;
    std::string what_;
    std::size_t pos_ = 0;
};

}  // namespace xddp::io
