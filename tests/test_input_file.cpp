// Inputs read by their real size, and the loaders every program shares (io/input_file.hpp, io/batch.hpp,
// io/labels.hpp, io/layer_list.hpp, io/text_numbers.hpp): hostile input is a named xddp::error.

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include <xddp/io/batch.hpp>
#include <xddp/io/input_file.hpp>
#include <xddp/io/labels.hpp>
#include <xddp/io/layer_list.hpp>
#include <xddp/io/npy.hpp>
#include <xddp/io/text_numbers.hpp>
#include <xddp/profile/json.hpp>

#include "scratch_dir.hpp"

namespace fs = std::filesystem;

TEST_CASE("only regular files are read: a directory or a device is an io_error before any byte is read") {
    scratch_dir s;
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(s.dir), doctest::Contains("is a directory"), xddp::io_error);
    CHECK_THROWS_WITH_AS(xddp::load_profile_json(s.dir), doctest::Contains("is a directory"), xddp::io_error);
    if (fs::exists("/dev/zero"))  // read "to the end", it would never end
        CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>("/dev/zero"), doctest::Contains("character device"),
                             xddp::io_error);
    CHECK_THROWS_WITH_AS(xddp::io::read_regular_file(s.dir / "missing.npy", "input"), doctest::Contains("no such file"),
                         xddp::io_error);
    std::ofstream(s.dir / "three.bin") << "abc";
    CHECK(xddp::io::read_regular_file(s.dir / "three.bin", "input").size() == 3);
}

TEST_CASE("load_batch: one sample, a batch, files joined; empty batches and wrong shapes refused") {
    scratch_dir s;
    const xddp::shape_t sample{2, 3};
    const xt::xarray<float> one = {{1, 2, 3}, {4, 5, 6}};
    xt::xarray<float> two = xt::zeros<float>({2, 2, 3});
    two(1, 1, 2) = 7;
    xddp::io::save_npy(s.dir / "one.npy", one);
    xddp::io::save_npy(s.dir / "two.npy", two);
    const auto a = xddp::io::load_batch(s.dir / "one.npy", sample);
    CHECK(a.shape() == std::vector<std::size_t>{1, 2, 3});
    const std::vector<fs::path> files{s.dir / "one.npy", s.dir / "two.npy"};
    const auto joined = xddp::io::load_batch(files, sample);
    REQUIRE(joined.shape() == std::vector<std::size_t>{3, 2, 3});
    CHECK(joined(0, 1, 0) == 4);
    CHECK(joined(2, 1, 2) == 7);

    xddp::io::save_npy(s.dir / "empty.npy", xt::xarray<float>(xt::zeros<float>({0, 2, 3})));
    CHECK_THROWS_WITH_AS(xddp::io::load_batch(s.dir / "empty.npy", sample), doctest::Contains("holds no sample"),
                         xddp::value_error);
    xddp::io::save_npy(s.dir / "wrong.npy", xt::xarray<float>(xt::zeros<float>({2, 3, 3})));
    CHECK_THROWS_WITH_AS(xddp::io::load_batch(s.dir / "wrong.npy", sample), doctest::Contains("does not fit"),
                         xddp::shape_error);
}

TEST_CASE("load_labels: int64 or int32, one per input, none negative") {
    scratch_dir s;
    xddp::io::save_npy(s.dir / "l64.npy", xt::xarray<std::int64_t>{0, 2, 1});
    xddp::io::save_npy(s.dir / "l32.npy", xt::xarray<std::int32_t>{3, 4});
    CHECK(xddp::io::load_labels(s.dir / "l64.npy", 3) == std::vector<std::int64_t>{0, 2, 1});
    CHECK(xddp::io::load_labels(s.dir / "l32.npy") == std::vector<std::int64_t>{3, 4});
    CHECK_THROWS_WITH_AS(xddp::io::load_labels(s.dir / "l64.npy", 4), doctest::Contains("3 labels for 4 inputs"),
                         xddp::shape_error);
    xddp::io::save_npy(s.dir / "neg.npy", xt::xarray<std::int64_t>{0, -1});
    CHECK_THROWS_WITH_AS(xddp::io::load_labels(s.dir / "neg.npy"), doctest::Contains("negative"), xddp::value_error);
    xddp::io::save_npy(s.dir / "two_d.npy", xt::xarray<std::int64_t>{{0, 1}});
    CHECK_THROWS_AS(xddp::io::load_labels(s.dir / "two_d.npy"), xddp::shape_error);
    xddp::io::save_npy(s.dir / "none.npy", xt::xarray<std::int64_t>(xt::zeros<std::int64_t>({0})));
    CHECK_THROWS_WITH_AS(xddp::io::load_labels(s.dir / "none.npy"), doctest::Contains("no label"), xddp::value_error);
    xddp::io::save_npy(s.dir / "float.npy", xt::xarray<float>{0.0f});
    CHECK_THROWS_AS(xddp::io::load_labels(s.dir / "float.npy"), xddp::format_error);
}

TEST_CASE("layer lists are bounded by the model's layers") {
    using xddp::io::parse_layer_list;
    CHECK(parse_layer_list("1:4", 8) == std::vector<std::size_t>{1, 2, 3});
    CHECK(parse_layer_list("5,1,3,1", 8) == std::vector<std::size_t>{1, 3, 5});
    CHECK(parse_layer_list("0:8", 8).size() == 8);
    // What used to allocate 2^64 indices, and what used to wrap.
    CHECK_THROWS_WITH_AS(parse_layer_list("0:18446744073709551615", 8), doctest::Contains("B <= 8"), xddp::value_error);
    CHECK_THROWS_WITH_AS(parse_layer_list("0:99999999999999999999999", 8), doctest::Contains("64 bits"),
                         xddp::value_error);
    CHECK_THROWS_WITH_AS(parse_layer_list("-1", 8), doctest::Contains("negative"), xddp::value_error);
    CHECK_THROWS_WITH_AS(parse_layer_list("8", 8), doctest::Contains("layers 0 to 7"), xddp::value_error);
    CHECK_THROWS_AS(parse_layer_list("3:3", 8), xddp::value_error);
    CHECK_THROWS_AS(parse_layer_list("1,,2", 8), xddp::value_error);
}

TEST_CASE("counts and shapes typed by users are parsed strictly") {
    CHECK(xddp::io::parse_unsigned("18446744073709551615", "n") == UINT64_MAX);
    CHECK_THROWS_AS(xddp::io::parse_unsigned("18446744073709551616", "n"), xddp::value_error);
    CHECK_THROWS_AS(xddp::io::parse_unsigned("-1", "n"), xddp::value_error);
    CHECK_THROWS_AS(xddp::io::parse_unsigned(" 1", "n"), xddp::value_error);
    CHECK(xddp::io::parse_shape("1,3,224,224", "s") == xddp::shape_t{1, 3, 224, 224});
    CHECK_THROWS_WITH_AS(xddp::io::parse_shape("-1,3,32,32", "s"), doctest::Contains("'-1' is not a positive extent"),
                         xddp::value_error);
    CHECK_THROWS_AS(xddp::io::parse_shape("1,0,2", "s"), xddp::value_error);
    CHECK_THROWS_WITH_AS(xddp::io::parse_shape("4294967296,4294967296,2", "s"), doctest::Contains("64 bits"),
                         xddp::shape_error);
}
