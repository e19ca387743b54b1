#pragma once
// Reading a whole input file by its real size. Only regular files are read: a directory, a device such as
// /dev/zero, a FIFO or a socket is an io_error naming the path, before any byte is read (a read "to the end"
// of /dev/zero never ends, and one of a directory fails with a raw library error).

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "xddp/core/error.hpp"

namespace xddp::io {

// What kind of file system entry path is, for messages: "a directory", "a character device", ...
inline std::string file_kind(const std::filesystem::file_status& s) {
    namespace fs = std::filesystem;
    switch (s.type()) {
        case fs::file_type::directory: return "a directory";
        case fs::file_type::character: return "a character device";
        case fs::file_type::block: return "a block device";
        case fs::file_type::fifo: return "a FIFO";
        case fs::file_type::socket: return "a socket";
        case fs::file_type::symlink: return "a symbolic link";
        case fs::file_type::regular: return "a regular file";
        default: return "not a regular file";
    }
}

// Throws io_error unless path names an existing regular file (symbolic links followed); `what` says what
// the file is for ("input", "labels", "profile").
inline void require_regular_file(const std::filesystem::path& path, const std::string& what) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status s = fs::status(path, ec);
    if (ec || !fs::exists(s)) {
        const std::string why = ec && ec != std::errc::no_such_file_or_directory ? ec.message() : "no such file";
        throw io_error("cannot open " + what + " '" + path.string() + "': " + why);
    }
    if (!fs::is_regular_file(s))
        throw io_error(what + " '" + path.string() + "' is " + file_kind(s) + "; expected a regular file");
}

// The bytes of a regular file, read by its size (a file that changes size while read is an io_error).
inline std::vector<char> read_regular_file(const std::filesystem::path& path, const std::string& what) {
    require_regular_file(path, what);
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) throw io_error("cannot read the size of " + what + " '" + path.string() + "': " + ec.message());
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error("cannot open " + what + " '" + path.string() + "'");
    std::vector<char> bytes;
    try {
        bytes.resize(static_cast<std::size_t>(size));
    } catch (const std::bad_alloc&) {
        throw resource_error(what + " '" + path.string() + "': cannot hold its " + std::to_string(size) +
                             " bytes in memory");
    }
    if (size && !in.read(bytes.data(), static_cast<std::streamsize>(size)))
        throw io_error("cannot read " + what + " '" + path.string() + "': it ended before its " + std::to_string(size) +
                       " bytes");
    if (in.peek() != std::ifstream::traits_type::eof())
        throw io_error("cannot read " + what + " '" + path.string() + "': it grew while being read");
    return bytes;
}

}  // namespace xddp::io
