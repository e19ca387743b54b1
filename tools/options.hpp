#pragma once
// What every subcommand shares about its options: usage errors (exit status 2), strict integer options
// ("--top -1" is a usage error, not 18446744073709551615), and the outputs of a run (checked against its
// inputs before anything runs, written together at the end; xddp/io/atomic_file.hpp).

#include <climits>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xddp/core/error.hpp>
#include <xddp/io/atomic_file.hpp>
#include <xddp/io/text_numbers.hpp>

namespace xddp::tool {

// A wrong command line (as opposed to wrong data): the program exits with status 2.
class usage_error : public value_error {
public:
    using value_error::value_error;
};

// A validator for an integer option in [min, max], digits only; its message names the range, not a
// 309-digit bound.
inline CLI::Validator integer_in(std::uint64_t min, std::uint64_t max) {
    const std::string range = max == UINT64_MAX ? "an integer >= " + std::to_string(min)
                                                : "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            try {
                const std::uint64_t v = io::parse_unsigned(text, "value");
                if (v >= min && v <= max) return {};
            } catch (const value_error&) {
            }
            return "'" + excerpt(text, 40) + "' is not " + range;
        },
        range == "an integer >= 0" ? "INT>=0" : "INT");
}
inline CLI::Validator non_negative_integer() { return integer_in(0, UINT64_MAX); }
inline CLI::Validator positive_integer() { return integer_in(1, UINT64_MAX); }

// The files and folders a MODEL argument reads: the .onnx file, or the weights folder of ARCH:FOLDER.
inline std::vector<std::filesystem::path> model_paths(const std::string& spec) {
    if (spec.ends_with(".onnx")) return {spec};
    if (const auto colon = spec.find(':'); colon != std::string::npos) return {spec.substr(colon + 1)};
    return {};
}

// Before anything runs: every output file can be written (a regular file or none yet, in a folder that
// exists: io_error otherwise), and no output (file or folder) names an input of the run or another output
// (a usage error). Empty paths are options not given.
inline void require_usable_outputs(const std::vector<std::filesystem::path>& files,
                                   const std::vector<std::filesystem::path>& folders,
                                   const std::vector<std::filesystem::path>& inputs) {
    for (const auto& f : files)
        if (!f.empty()) io::require_output_path(f);
    std::vector<std::filesystem::path> all = files;
    all.insert(all.end(), folders.begin(), folders.end());
    try {
        io::require_distinct_outputs(all, inputs);
    } catch (const value_error& e) {
        throw usage_error(e.what());
    }
}

}  // namespace xddp::tool
