#pragma once
// NumPy .npy reading and writing with full validation: a truncated, oversized or malformed file, a
// Fortran-order array or an unexpected dtype is a format_error naming the file, never an out-of-bounds
// read. (xt::load_npy trusts the header; weights come from users' folders, so xddp checks everything.)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/io/atomic_file.hpp"
#include "xddp/io/input_file.hpp"

namespace xddp::io {

template <class T>
struct npy_dtype;
template <> struct npy_dtype<float> { static constexpr std::string_view descr = "<f4"; static constexpr std::string_view name = "float32"; };
template <> struct npy_dtype<double> { static constexpr std::string_view descr = "<f8"; static constexpr std::string_view name = "float64"; };
template <> struct npy_dtype<std::int64_t> { static constexpr std::string_view descr = "<i8"; static constexpr std::string_view name = "int64"; };
template <> struct npy_dtype<std::int32_t> { static constexpr std::string_view descr = "<i4"; static constexpr std::string_view name = "int32"; };
template <> struct npy_dtype<std::uint8_t> { static constexpr std::string_view descr = "|u1"; static constexpr std::string_view name = "uint8"; };

// The header of a .npy file, parsed and checked against the file's size.
struct npy_header {
    std::string descr;
    shape_t shape;
    std::size_t data_offset = 0;
};

namespace detail {

inline std::string dtype_name(std::string_view descr) {
    if (descr == "<f4") return "float32";
    if (descr == "<f8") return "float64";
    if (descr == "<f2") return "float16";
    if (descr == "<i8") return "int64";
    if (descr == "<i4") return "int32";
    if (descr == "|u1") return "uint8";
    if (descr == "|b1") return "bool";
    return std::string(descr);
}

inline std::size_t dtype_size(std::string_view descr) {
    if (descr.size() < 3) return 0;
    std::size_t n = 0;
    for (char c : descr.substr(2)) {
        if (c < '0' || c > '9') return 0;
        n = n * 10 + static_cast<std::size_t>(c - '0');
        if (n > 16) return 0;
    }
    return n;
}

// The value text after 'key': in a header dict, or a format_error.
inline std::string_view dict_value(std::string_view dict, std::string_view key, const std::string& where) {
    const std::string quoted = "'" + std::string(key) + "'";
    const auto k = dict.find(quoted);
    if (k == std::string_view::npos) throw format_error(where + ": .npy header has no " + quoted + " entry");
    auto colon = dict.find(':', k + quoted.size());
    if (colon == std::string_view::npos) throw format_error(where + ": .npy header entry " + quoted + " has no value");
    auto v = dict.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    return v;
}

inline npy_header parse_header(std::string_view dict, const std::string& where) {
    npy_header h;
    auto d = dict_value(dict, "descr", where);
    if (d.empty() || (d.front() != '\'' && d.front() != '"')) throw format_error(where + ": .npy 'descr' is not a string");
    const auto end = d.find(d.front(), 1);
    if (end == std::string_view::npos) throw format_error(where + ": .npy 'descr' string is not terminated");
    h.descr = std::string(d.substr(1, end - 1));
    auto f = dict_value(dict, "fortran_order", where);
    if (f.starts_with("True"))
        throw format_error(where + ": Fortran-order arrays are not supported; save the array in C order");
    if (!f.starts_with("False")) throw format_error(where + ": .npy 'fortran_order' is neither True nor False");
    auto s = dict_value(dict, "shape", where);
    if (s.empty() || s.front() != '(') throw format_error(where + ": .npy 'shape' is not a tuple");
    const auto close = s.find(')');
    if (close == std::string_view::npos) throw format_error(where + ": .npy 'shape' tuple is not closed");
    // Comma-separated extents, each digits with optional spaces around (and Python 2's 'L' suffix); a
    // trailing comma is allowed, as in (3,).
    std::string_view rest = s.substr(1, close - 1);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty() && item.back() == 'L') item.remove_suffix(1);
        if (item.empty()) {
            if (comma == std::string_view::npos && !h.shape.empty()) break;  // the trailing comma of (3,)
            throw format_error(where + ": .npy 'shape' has an empty extent");
        }
        std::size_t value = 0;
        for (char c : item) {
            if (c < '0' || c > '9')
                throw format_error(where + ": .npy 'shape' extent '" + std::string(item) +
                                   "' is not a non-negative integer (extents are separated by commas)");
            if (value > (std::numeric_limits<std::size_t>::max() - 9) / 10)
                throw format_error(where + ": .npy shape extent overflows");
            value = value * 10 + static_cast<std::size_t>(c - '0');
        }
        h.shape.push_back(value);
    }
    return h;
}

}  // namespace detail

// Parses the header of a whole .npy file held in memory and checks it against the bytes there are.
// `where` names the source in messages (a path, or "<memory>").
inline npy_header parse_npy(std::span<const char> bytes, const std::string& where) {
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
        throw format_error(where + ": not a .npy file (missing the \\x93NUMPY magic)");
    const unsigned major = static_cast<unsigned char>(bytes[6]);
    std::size_t header_len = 0, prefix = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        prefix = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) throw format_error(where + ": truncated .npy header");
        for (int i = 0; i < 4; ++i) header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
        prefix = 12;
    } else {
        throw format_error(where + ": unsupported .npy format version " + std::to_string(major));
    }
    if (header_len > bytes.size() - prefix) throw format_error(where + ": truncated .npy header");
    npy_header h = detail::parse_header(std::string_view(bytes.data() + prefix, header_len), where);
    h.data_offset = prefix + header_len;
    return h;
}

// Reads a whole .npy file into memory (a regular file, by its size) and parses its header.
inline std::pair<npy_header, std::vector<char>> read_npy_file(const std::filesystem::path& path) {
    const std::string where = path.string();
    std::vector<char> bytes = read_regular_file(path, ".npy file");
    npy_header h = parse_npy(bytes, where);
    return {std::move(h), std::move(bytes)};
}

namespace detail {

// The array of element type T that a parsed header describes, checking dtype and size.
template <class T>
xt::xarray<T> npy_payload(const npy_header& h, std::span<const char> bytes, const std::string& where) {
    if (h.descr != npy_dtype<T>::descr)
        throw format_error(where + ": dtype is " + detail::dtype_name(h.descr) + ", expected " +
                           std::string(npy_dtype<T>::name) + " ('" + std::string(npy_dtype<T>::descr) + "')");
    // The product of the non-zero extents bounds the strides too, so it must fit even when some extent is 0.
    std::size_t count = 1, span = 1;
    for (auto e : h.shape) {
        const std::size_t f = std::max<std::size_t>(e, 1);
        if (span > static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(T) / f)
            throw format_error(where + ": .npy shape " + to_string(h.shape) + " is too large");
        span *= f;
        count *= e;
    }
    const std::size_t available = bytes.size() - h.data_offset;
    if (available != count * sizeof(T))
        throw format_error(where + ": .npy data holds " + std::to_string(available) + " bytes, shape " +
                           to_string(h.shape) + " needs " + std::to_string(count * sizeof(T)) +
                           (available < count * sizeof(T) ? " (truncated file)" : " (trailing bytes)"));
    xt::xarray<T> out = xt::xarray<T>::from_shape(h.shape);
    if (count) std::memcpy(out.data(), bytes.data() + h.data_offset, count * sizeof(T));
    return out;
}

}  // namespace detail

// Loads a .npy of element type T (float32, float64, int64, int32, uint8), checking dtype and size.
template <class T>
xt::xarray<T> load_npy(const std::filesystem::path& path) {
    auto [h, bytes] = read_npy_file(path);
    return detail::npy_payload<T>(h, bytes, path.string());
}

// The same from the bytes of a whole .npy file already in memory (a download, an archive member, a
// fuzzer's input); `where` names them in messages.
template <class T>
xt::xarray<T> load_npy_from_memory(std::span<const char> bytes, const std::string& where = "<memory>") {
    const npy_header h = parse_npy(bytes, where);
    return detail::npy_payload<T>(h, bytes, where);
}

// Writes a C-order .npy (format 1.0) of element type T to a stream.
template <class T>
void write_npy(std::ostream& out, const T* data, std::span<const std::size_t> shape) {
    std::string dict = "{'descr': '" + std::string(npy_dtype<T>::descr) + "', 'fortran_order': False, 'shape': (";
    for (std::size_t i = 0; i < shape.size(); ++i) dict += (i ? ", " : "") + std::to_string(shape[i]);
    dict += shape.size() == 1 ? ",), }" : "), }";
    const std::size_t total = 10 + dict.size() + 1;
    dict.append((64 - total % 64) % 64, ' ');
    dict += '\n';
    const std::uint16_t len = static_cast<std::uint16_t>(dict.size());
    out.write("\x93NUMPY\x01\x00", 8);
    const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(len_bytes, 2);
    out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(element_count(shape) * sizeof(T)));
}

// Writes a C-order .npy (format 1.0) of element type T; atomically (io/atomic_file.hpp).
template <class T>
void save_npy(const std::filesystem::path& path, const T* data, std::span<const std::size_t> shape) {
    write_atomically(path, [&](std::ostream& out) { write_npy<T>(out, data, shape); });
}

template <class E>
void save_npy(const std::filesystem::path& path, const E& array) {
    using T = typename E::value_type;
    const shape_t shape(array.shape().begin(), array.shape().end());
    save_npy<T>(path, array.data(), shape);
}

}  // namespace xddp::io
