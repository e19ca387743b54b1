#pragma once
// A JSON file of the golden data, parsed; the test fails (naming the file) where it cannot be opened.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

inline nlohmann::json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    REQUIRE_MESSAGE(in.good(), "cannot open " << file.string());
    return nlohmann::json::parse(in);
}
