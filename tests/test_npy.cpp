// .npy round trips for every supported dtype, and the golden files' headers.

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>

#include <xddp/io/npy.hpp>

#include "shared_dir.hpp"

TEST_CASE("save_npy then load_npy gives the same array") {
    const auto file = std::filesystem::temp_directory_path() / "xddp_roundtrip.npy";
    xt::xarray<float> a = {{1.5f, -2.0f, 3.25f}, {0.0f, 1e-38f, -7.0f}};
    xddp::io::save_npy(file, a);
    CHECK(xddp::io::load_npy<float>(file) == a);
    xt::xarray<std::int64_t> labels = {3, 1, 4, 1, 5};
    xddp::io::save_npy(file, labels);
    CHECK(xddp::io::load_npy<std::int64_t>(file) == labels);
    CHECK_THROWS_AS(xddp::io::load_npy<float>(file), xddp::format_error);
    std::filesystem::remove(file);
}

TEST_CASE("golden .npy files load with their shapes") {
    const auto labels = xddp::io::load_npy<std::int64_t>(shared_dir() / "golden/tensorstate/lenet5/inputs/labels.npy");
    CHECK(labels.shape()[0] == 256);
    const auto x = xddp::io::load_npy<float>(shared_dir() / "golden/ddp/tiny_vgg/inputs/x0.npy");
    CHECK(xddp::shape_t(x.shape().begin(), x.shape().end()) == xddp::shape_t{1, 3, 32, 32});
}
