#pragma once
// Class labels from a .npy file: (N,) int64, or int32 as many exporters write them; every label >= 0, and
// exactly `inputs` of them where the number of inputs is known. (Whether a label is one of the model's
// classes is checked where the model's output is known: accuracy_stage, evaluate_classifier.)

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/io/npy.hpp"

namespace xddp::io {

inline std::vector<std::int64_t> load_labels(const std::filesystem::path& file,
                                             std::optional<std::size_t> inputs = std::nullopt) {
    const std::string where = "labels '" + file.string() + "'";
    auto [header, bytes] = read_npy_file(file);
    std::vector<std::int64_t> labels;
    shape_t shape;
    if (header.descr == npy_dtype<std::int32_t>::descr) {
        const auto a = detail::npy_payload<std::int32_t>(header, bytes, file.string());
        shape.assign(a.shape().begin(), a.shape().end());
        labels.assign(a.begin(), a.end());
    } else {
        const auto a = detail::npy_payload<std::int64_t>(header, bytes, file.string());
        shape.assign(a.shape().begin(), a.shape().end());
        labels.assign(a.begin(), a.end());
    }
    const std::string expected = inputs ? "(" + std::to_string(*inputs) + ",), one class per input" : "(N,), one class per input";
    if (shape.size() != 1) throw shape_error(where + " have shape " + to_string(shape) + "; expected " + expected);
    if (labels.empty()) throw value_error(where + " hold no label; expected " + expected);
    if (inputs && labels.size() != *inputs)
        throw shape_error(where + " hold " + std::to_string(labels.size()) + " labels for " + std::to_string(*inputs) +
                          " inputs; expected " + expected);
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] < 0)
            throw value_error(where + ": label " + std::to_string(labels[i]) + " of input " + std::to_string(i) +
                              " is negative; expected a class index >= 0");
    return labels;
}

}  // namespace xddp::io
