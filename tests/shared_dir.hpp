#pragma once
// Where the golden data lives: the env var XDDP_SHARED if set, else the `shared` folder beside the
// repository (compile definition XDDP_SHARED_DIR).

#include <cstdlib>
#include <filesystem>

inline std::filesystem::path shared_dir() {
    if (const char* env = std::getenv("XDDP_SHARED"); env && *env) return env;
    return XDDP_SHARED_DIR;
}
