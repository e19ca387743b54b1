#pragma once
// Writing a whole text file, with io_error naming the file when it cannot be written.

#include <filesystem>
#include <fstream>
#include <string>

#include "xddp/core/error.hpp"
#include "xddp/io/atomic_file.hpp"

namespace xddp::detail {

// Atomically (io/atomic_file.hpp): a failed write leaves any previous file as it was.
inline void write_text(const std::filesystem::path& path, const std::string& text) {
    io::write_atomically(path, [&](std::ostream& f) { f << text; });
}

}  // namespace xddp::detail
