#pragma once
// ONNX tensors (initializers, Constant values) decoded into plain vectors, with every size checked before
// anything is allocated or read: dims are capped, the data must hold exactly the elements the dims
// promise, and external data must lie in a regular file inside the model's folder.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

// Debian's libonnx-dev ships only the ONNX-ML flavour of the generated header; its CMake target
// defines ONNX_ML and ONNX_NAMESPACE, but a build that includes this header without the target gets
// them here.
#if !defined(ONNX_ML) && __has_include(<onnx/onnx-ml.pb.h>) && !__has_include(<onnx/onnx.pb.h>)
#define ONNX_ML 1
#endif
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#include <onnx/onnx_pb.h>

#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"

namespace xddp::io::onnx_detail {

namespace pb = ::ONNX_NAMESPACE;

// Caps on what a model file may declare. They bound every allocation the importer makes before it has
// seen the data, and keep shape arithmetic far from overflow.
inline constexpr std::int64_t max_extent = std::int64_t{1} << 24;  // a dimension, pad, stride, kernel
inline constexpr std::size_t max_elements = std::size_t{1} << 31;  // one tensor, or one sample's activation
inline constexpr std::size_t max_rank = 64;                        // dimensions of any tensor

// The batch size as the Shape op reports it: unknown at import, carried through the shape plumbing
// (Gather, Unsqueeze, Concat) so that a Reshape can tell "keep the batch" from a literal extent.
inline constexpr std::int64_t batch_extent = std::numeric_limits<std::int64_t>::min();

// A tensor known at import time: float weights, or int64 shape plumbing (int32 data is widened).
struct constant {
    bool is_float = true;
    shape_t shape;
    std::vector<float> f;         // when is_float
    std::vector<std::int64_t> i;  // otherwise
    std::size_t size() const { return element_count(shape); }
};
using constant_ptr = std::shared_ptr<const constant>;

inline std::string data_type_name(int type) {
    if (pb::TensorProto_DataType_IsValid(type))
        return pb::TensorProto_DataType_Name(static_cast<pb::TensorProto_DataType>(type));
    return "unknown data_type " + std::to_string(type);
}

// The dims of t, each in [0, max_extent], their product at most max_elements.
inline shape_t checked_dims(const pb::TensorProto& t, const std::string& what) {
    if (static_cast<std::size_t>(t.dims_size()) > max_rank)
        throw format_error(what + " has " + std::to_string(t.dims_size()) + " dimensions, more than " + std::to_string(max_rank));
    shape_t shape;
    std::size_t count = 1;
    for (const std::int64_t d : t.dims()) {
        if (d < 0 || d > max_extent)
            throw format_error(what + " has dimension " + std::to_string(d) + ", expected 0.." +
                               std::to_string(max_extent));
        shape.push_back(static_cast<std::size_t>(d));
        count *= static_cast<std::size_t>(d);  // <= 2^31 * 2^24 before the check below: no overflow
        if (count > max_elements)
            throw format_error(what + " has " + std::to_string(t.dims_size()) + " dims whose product exceeds " +
                               std::to_string(max_elements) + " elements");
    }
    return shape;
}

// A non-negative decimal integer from an external_data entry, or a format_error.
inline std::uint64_t parse_size(const std::string& text, const std::string& what) {
    if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw format_error(what + ": external data size '" + text + "' is not a non-negative integer");
    return std::stoull(text);
}

// True if `inner` is `outer` or lies below it (both absolute and normalised).
inline bool is_within(const std::filesystem::path& inner, const std::filesystem::path& outer) {
    auto i = inner.begin();
    for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
        if (o->empty()) continue;  // a trailing separator
        if (i == inner.end() || *i != *o) return false;
    }
    return true;
}

// The `bytes` bytes of t's external data: a file named relative to model_dir, which must stay inside
// it (no absolute path, no "..", no symbolic link out of it), holding them at [offset, offset + length).
inline std::vector<char> read_external(const pb::TensorProto& t, std::size_t bytes, const std::string& what,
                                       const std::filesystem::path& model_dir) {
    namespace fs = std::filesystem;
    if (model_dir.empty())
        throw format_error(what + " keeps its data in an external file, which needs the model's folder "
                                  "(load the model from its file, not from memory)");
    std::string location;
    std::uint64_t offset = 0, length = 0;
    bool has_length = false;
    for (const auto& entry : t.external_data()) {
        if (entry.key() == "location") location = entry.value();
        else if (entry.key() == "offset") offset = parse_size(entry.value(), what);
        else if (entry.key() == "length") length = parse_size(entry.value(), what), has_length = true;
    }
    if (location.empty()) throw format_error(what + ": external data has no 'location'");
    if (location.find('\0') != std::string::npos) throw format_error(what + ": external data location holds a NUL byte");
    const fs::path relative(location);
    if (relative.has_root_name() || relative.has_root_directory())
        throw format_error(what + ": external data location '" + location +
                           "' is absolute; it must be relative to the model's folder");
    for (const auto& part : relative)
        if (part == "..")
            throw format_error(what + ": external data location '" + location + "' leaves the model's folder");
    std::error_code ec;
    const fs::path folder = fs::canonical(model_dir, ec);
    if (ec) throw io_error(what + ": cannot resolve the model's folder '" + model_dir.string() + "': " + ec.message());
    const fs::path file = fs::weakly_canonical(folder / relative, ec);
    if (ec || !is_within(file, folder))
        throw format_error(what + ": external data location '" + location + "' resolves outside the model's folder");
    if (!fs::is_regular_file(file, ec)) throw io_error(what + ": external data file '" + file.string() + "' does not exist");
    const std::uintmax_t size = fs::file_size(file, ec);
    if (ec) throw io_error(what + ": cannot read the size of '" + file.string() + "': " + ec.message());
    if (has_length && length != bytes)
        throw format_error(what + ": external data length is " + std::to_string(length) + " bytes, its dims need " +
                           std::to_string(bytes));
    if (offset > size || size - offset < bytes || (!has_length && size - offset != bytes))
        throw format_error(what + ": external data file '" + file.string() + "' holds " + std::to_string(size) +
                           " bytes; " + std::to_string(bytes) + " are needed at offset " + std::to_string(offset) +
                           (has_length ? "" : " up to its end"));
    std::vector<char> data(bytes);
    std::ifstream in(file, std::ios::binary);
    if (!in || !in.seekg(static_cast<std::streamoff>(offset)) ||
        !in.read(data.data(), static_cast<std::streamsize>(bytes)))
        throw io_error(what + ": cannot read external data from '" + file.string() + "'");
    return data;
}

// Little-endian element bytes into values of T (ONNX raw_data is little-endian on every platform).
// Each value is constructed once in place (no zero fill first: a VGG16 is 553 MB of weights).
template <class T, class Raw>
void copy_little_endian(const char* src, std::size_t count, std::vector<T>& out) {
    const auto value = [src](std::size_t k) {
        Raw bits;
        std::memcpy(&bits, src + k * sizeof(Raw), sizeof(Raw));
        if constexpr (std::endian::native == std::endian::big) {
            Raw swapped = 0;
            for (std::size_t b = 0; b < sizeof(Raw); ++b) swapped = (swapped << 8) | ((bits >> (8 * b)) & 0xff);
            bits = swapped;
        }
        if constexpr (std::is_same_v<T, float>) return std::bit_cast<float>(bits);
        else return static_cast<T>(static_cast<std::make_signed_t<Raw>>(bits));
    };
    out.clear();
    out.reserve(count);
    for (std::size_t k = 0; k < count; ++k) out.push_back(value(k));
}

// Decodes t (FLOAT, INT64 or INT32) from raw_data, its typed field, or external data.
// `what` names it in messages, e.g. "model.onnx: initializer 'fc.weight'".
inline constant decode(const pb::TensorProto& t, const std::string& what, const std::filesystem::path& model_dir) {
    constant c;
    c.shape = checked_dims(t, what);
    const std::size_t count = c.size();
    const int type = t.data_type();
    std::size_t element_bytes = 0, typed = 0;
    if (type == pb::TensorProto_DataType_FLOAT) element_bytes = 4, typed = static_cast<std::size_t>(t.float_data_size());
    else if (type == pb::TensorProto_DataType_INT64) element_bytes = 8, typed = static_cast<std::size_t>(t.int64_data_size());
    else if (type == pb::TensorProto_DataType_INT32) element_bytes = 4, typed = static_cast<std::size_t>(t.int32_data_size());
    else
        throw format_error(what + " has data_type " + data_type_name(type) +
                           "; xddp reads FLOAT weights and INT64/INT32 shape constants");
    if (t.has_segment()) throw format_error(what + " is a segment of a larger tensor, which ONNX models do not use");
    c.is_float = type == pb::TensorProto_DataType_FLOAT;
    const std::size_t bytes = count * element_bytes;
    const bool external = t.data_location() == pb::TensorProto_DataLocation_EXTERNAL;
    const std::size_t sources = (t.has_raw_data() ? 1 : 0) + (typed ? 1 : 0) + (external ? 1 : 0);
    if (sources > 1) throw format_error(what + " holds its data in more than one place (raw_data, typed data, external)");
    if (sources == 0 && count > 0) throw format_error(what + " holds no data for its " + std::to_string(count) + " elements");
    std::vector<char> file_bytes;
    const char* raw = nullptr;
    if (external) {
        file_bytes = read_external(t, bytes, what, model_dir);
        raw = file_bytes.data();
    } else if (t.has_raw_data()) {
        if (t.raw_data().size() != bytes)
            throw format_error(what + " has " + std::to_string(t.raw_data().size()) + " bytes of raw_data, its dims " +
                               xddp::to_string(c.shape) + " need " + std::to_string(bytes));
        raw = t.raw_data().data();
    } else if (typed != count) {
        throw format_error(what + " has " + std::to_string(typed) + " values, its dims " + xddp::to_string(c.shape) + " need " +
                           std::to_string(count));
    }
    if (type == pb::TensorProto_DataType_FLOAT) {
        if (raw) copy_little_endian<float, std::uint32_t>(raw, count, c.f);
        else c.f.assign(t.float_data().begin(), t.float_data().end());
    } else if (type == pb::TensorProto_DataType_INT64) {
        if (raw) copy_little_endian<std::int64_t, std::uint64_t>(raw, count, c.i);
        else c.i.assign(t.int64_data().begin(), t.int64_data().end());
    } else {
        if (raw) copy_little_endian<std::int64_t, std::uint32_t>(raw, count, c.i);
        else c.i.assign(t.int32_data().begin(), t.int32_data().end());
    }
    return c;
}

}  // namespace xddp::io::onnx_detail
