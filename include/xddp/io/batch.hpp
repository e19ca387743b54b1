#pragma once
// The inputs of a run from .npy files: one file, or several joined along the batch axis. Each file holds
// one sample of the model's input shape or a batch (N, ...) of them with N > 0; the result is always a
// batch (N, ...). A file of another shape, or a batch of no sample, is refused naming the file.

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xddp/core/checked.hpp"
#include "xddp/core/error.hpp"
#include "xddp/core/shape.hpp"
#include "xddp/io/npy.hpp"

namespace xddp::io {

// The number of samples an array of shape `shape` holds for a model whose input sample is `sample`:
// 1 for a sample, N for (N, ...); shape_error naming `where` otherwise, value_error for N = 0.
inline std::size_t samples_in(const shape_t& shape, const shape_t& sample, const std::string& where) {
    if (shape == sample) return 1;
    if (shape.size() == sample.size() + 1 && std::equal(sample.begin(), sample.end(), shape.begin() + 1)) {
        if (shape[0] == 0)
            throw value_error(where + " has shape " + to_string(shape) + ", which holds no sample; expected at least one");
        return shape[0];
    }
    throw shape_error(where + " has shape " + to_string(shape) + ", which does not fit the model's input " +
                      to_string(sample) + "; expected " + to_string(sample) + " or (N, " + to_string(sample).substr(1));
}

// Loads the files as one batch (N, sample...), N the sum of the samples of each file.
inline xt::xarray<float> load_batch(std::span<const std::filesystem::path> files, const shape_t& sample) {
    if (files.empty()) throw value_error("no input file given");
    std::vector<xt::xarray<float>> parts;
    std::uint64_t total = 0;
    for (const auto& f : files) {
        xt::xarray<float> x = load_npy<float>(f);
        const shape_t shape(x.shape().begin(), x.shape().end());
        total = checked_add(total, samples_in(shape, sample, "input '" + f.string() + "'"), "inputs");
        parts.push_back(std::move(x));
    }
    shape_t shape{static_cast<std::size_t>(total)};
    shape.insert(shape.end(), sample.begin(), sample.end());
    if (parts.size() == 1) {
        parts[0].reshape(shape);
        return std::move(parts[0]);
    }
    xt::xarray<float> all = xt::xarray<float>::from_shape(shape);
    float* out = all.data();
    for (const auto& x : parts) out = std::copy(x.data(), x.data() + x.size(), out);
    return all;
}

inline xt::xarray<float> load_batch(const std::filesystem::path& file, const shape_t& sample) {
    return load_batch(std::span<const std::filesystem::path>(&file, 1), sample);
}

}  // namespace xddp::io
