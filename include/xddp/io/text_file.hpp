#pragma once
// Writing a whole text file, with io_error naming the file when it cannot be written.

#include <filesystem>
#include <fstream>
#include <string>

#include "xddp/core/error.hpp"

namespace xddp::detail {

inline void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    if (!f) throw io_error("cannot write '" + path.string() + "'");
    f << text;
    if (!f) throw io_error("failed writing '" + path.string() + "'");
}

}  // namespace xddp::detail
