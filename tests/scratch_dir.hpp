#pragma once
// A fresh folder under the system's temporary directory, removed with everything in it at the end of a test.

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <string>

struct scratch_dir {
    std::filesystem::path dir;
    explicit scratch_dir(const std::string& prefix = "xddp_test_") {
        dir = std::filesystem::temp_directory_path() / (prefix + std::to_string(std::rand()) + std::to_string(std::rand()));
        std::filesystem::create_directories(dir);
    }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    ~scratch_dir() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    // Entries in the folder (files and folders), to see that no temporary was left behind.
    std::size_t entries() const {
        return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
    }
};
