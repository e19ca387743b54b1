// Bad input gets a typed error with a message that says what was expected, never a crash.

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <xddp/xddp.hpp>

#include "shared_dir.hpp"

namespace fs = std::filesystem;

namespace {

// A scratch folder with a copy of the tiny_vgg weights, removed at the end of the test.
struct scratch_weights {
    fs::path dir;
    scratch_weights() {
        dir = fs::temp_directory_path() / ("xddp_weights_" + std::to_string(std::rand()));
        fs::create_directories(dir);
        fs::copy(shared_dir() / "golden/ddp/tiny_vgg/weights", dir, fs::copy_options::recursive);
    }
    ~scratch_weights() { fs::remove_all(dir); }
};

bool message_has(const std::exception& e, const std::string& part) { return std::string(e.what()).find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an input of the wrong shape is a shape_error naming the expected shape") {
    const auto g = xddp::zoo::tiny_vgg();
    xt::xarray<float> x = xt::zeros<float>({1, 3, 31, 32});
    CHECK_THROWS_WITH_AS(g(x), "input 'input': shape (1, 3, 31, 32) does not fit, expected (N, 3, 32, 32)",
                         xddp::shape_error);
    // One sample without the batch dimension is accepted.
    xt::xarray<float> one = xt::zeros<float>({3, 32, 32});
    CHECK(g(one).shape()[0] == 1);
    // An empty batch has the right sample shape: the message says what is wrong with it.
    xt::xarray<float> empty = xt::zeros<float>({0, 3, 32, 32});
    CHECK_THROWS_WITH_AS(g(empty), "input 'input': the batch (0, 3, 32, 32) holds no sample; expected at least one",
                         xddp::shape_error);
}

TEST_CASE("every indexing accessor throws an index_error (an xddp::error) naming the index and the range") {
    auto g = xddp::zoo::tiny_vgg();
    const std::size_t last = g.size() - 1;
    const std::string range = "does not exist; expected 0 to " + std::to_string(last);
    CHECK_THROWS_WITH_AS(g[99], ("graph: node 99 " + range).c_str(), xddp::index_error);
    CHECK_THROWS_WITH_AS(g.at(99), ("graph: node 99 " + range).c_str(), xddp::index_error);
    const xt::xarray<float> x = xt::zeros<float>({1, 3, 32, 32});
    const auto acts = g.forward(x, xddp::keep::all);
    CHECK_THROWS_WITH_AS(acts[last + 1], ("activations: node " + std::to_string(last + 1) + " " + range).c_str(),
                         xddp::index_error);
    xddp::activations none;
    CHECK_THROWS_WITH_AS(none.output(), "activations: output node 0 does not exist; there are none", xddp::index_error);
    // Caught as the base class, as the README promises.
    CHECK_THROWS_AS(g[g.size()], xddp::error);
}

TEST_CASE("numbers in messages read as people write them") {
    CHECK(xddp::number_text(0.1) == "0.1");
    CHECK(xddp::number_text(1e-12) == "1e-12");
    CHECK(xddp::number_text(3.0) == "3");
    CHECK(xddp::number_text(-0.25) == "-0.25");
    const auto g = xddp::zoo::tiny_vgg();
    const auto groups = xddp::layer_groups(g);
    const xt::xarray<float> x = xt::ones<float>({1, 3, 32, 32});
    const auto acts = g.forward(x, xddp::keep::all);
    xddp::profile_options o;
    o.threshold = 1.5;
    CHECK_THROWS_WITH_AS(xddp::contribution_profile<xddp::channel_neurons>(g, groups, acts, 0, o),
                         doctest::Contains("threshold 1.5 is outside (0, 1]"), xddp::value_error);
}

TEST_CASE("NaN or Inf in the input is reported, not propagated") {
    const auto g = xddp::zoo::tiny_vgg();
    xt::xarray<float> x = xt::zeros<float>({2, 3, 32, 32});
    x(1, 2, 3, 4) = std::nanf("");
    try {
        g(x);
        FAIL("no error");
    } catch (const xddp::value_error& e) {
        CHECK(message_has(e, "sample 1 holds NaN at element " + std::to_string(2 * 1024 + 3 * 32 + 4)));
    }
    x(1, 2, 3, 4) = INFINITY;
    CHECK_THROWS_AS(g(x), xddp::value_error);
}

TEST_CASE("a graph rejects layers whose inputs do not fit, naming the layer") {
    xddp::graph g({3, 8, 8});
    const auto c = g.add("conv", xddp::conv2d({.in_channels = 3, .out_channels = 4, .kernel = {3, 3}}), g.input());
    CHECK_THROWS_WITH_AS(g.add("bad", xddp::conv2d({.in_channels = 5, .out_channels = 4}), c),
                         "layer 'bad': conv2d: input shape (1, 4, 6, 6) does not fit, expected (N, 5, H, W)",
                         xddp::shape_error);
    CHECK_THROWS_AS(g.add("conv", xddp::relu{}, c), xddp::value_error);
    CHECK_THROWS_AS(g.add("sum", xddp::add{}, c, g.input()), xddp::shape_error);
    CHECK_THROWS_AS(g.add("dangling", xddp::relu{}, 42), xddp::value_error);
}

TEST_CASE("weight loading: missing, extra, mis-shaped, float64, truncated and NaN tensors") {
    SUBCASE("missing") {
        scratch_weights w;
        fs::remove(w.dir / "features.3.running_var.npy");
        auto g = xddp::zoo::tiny_vgg();
        try {
            xddp::load_weights(g, w.dir);
            FAIL("no error");
        } catch (const xddp::format_error& e) {
            CHECK(message_has(e, "lacks 1 tensor(s): features.3.running_var (16,)"));
        }
    }
    SUBCASE("extra") {
        scratch_weights w;
        fs::copy_file(w.dir / "features.0.bias.npy", w.dir / "features.9.bias.npy");
        auto g = xddp::zoo::tiny_vgg();
        CHECK_THROWS_WITH_AS(xddp::load_weights(g, w.dir),
                             doctest::Contains("no layer of the model has: features.9.bias"), xddp::format_error);
    }
    SUBCASE("mis-shaped") {
        scratch_weights w;
        fs::copy_file(w.dir / "features.2.bias.npy", w.dir / "features.6.bias.npy", fs::copy_options::overwrite_existing);
        auto g = xddp::zoo::tiny_vgg();
        CHECK_THROWS_WITH_AS(xddp::load_weights(g, w.dir),
                             "layer 'features.6': weight 'features.6.bias' has shape (16,), expected (32,)", xddp::shape_error);
    }
    SUBCASE("float64") {
        scratch_weights w;
        const double values[16] = {};
        const xddp::shape_t shape{16};
        xddp::io::save_npy<double>(w.dir / "features.3.weight.npy", values, shape);
        auto g = xddp::zoo::tiny_vgg();
        CHECK_THROWS_WITH_AS(xddp::load_weights(g, w.dir), doctest::Contains("dtype is float64, expected float32"),
                             xddp::format_error);
    }
    SUBCASE("truncated") {
        scratch_weights w;
        const fs::path file = w.dir / "classifier.0.weight.npy";
        fs::resize_file(file, fs::file_size(file) - 100);
        auto g = xddp::zoo::tiny_vgg();
        CHECK_THROWS_WITH_AS(xddp::load_weights(g, w.dir), doctest::Contains("(truncated file)"), xddp::format_error);
    }
    SUBCASE("NaN") {
        scratch_weights w;
        float values[16] = {};
        values[5] = std::nanf("");
        const xddp::shape_t shape{16};
        xddp::io::save_npy<float>(w.dir / "features.3.bias.npy", values, shape);
        auto g = xddp::zoo::tiny_vgg();
        CHECK_THROWS_WITH_AS(xddp::load_weights(g, w.dir), doctest::Contains("holds NaN at flat index 5"), xddp::value_error);
    }
    SUBCASE("no folder") {
        auto g = xddp::zoo::tiny_vgg();
        CHECK_THROWS_AS(xddp::load_weights(g, "no/such/folder"), xddp::io_error);
    }
}

TEST_CASE("a weights folder with a symbolic link loop or a directory named .npy is an io_error naming it") {
    scratch_weights w;
    fs::create_symlink(w.dir / "loop.weight.npy", w.dir / "loop.weight.npy");
    auto g = xddp::zoo::tiny_vgg();
    try {
        xddp::load_weights(g, w.dir);
        FAIL("accepted a link loop");
    } catch (const xddp::io_error& e) {
        CHECK(message_has(e, "loop.weight.npy"));
    }
    fs::remove(w.dir / "loop.weight.npy");
    fs::create_directory(w.dir / "features.0.extra.npy");
    CHECK_THROWS_WITH_AS(xddp::load_weights(g, w.dir), doctest::Contains("is a directory"), xddp::io_error);
}

TEST_CASE("malformed .npy files are format_errors") {
    const fs::path file = fs::temp_directory_path() / "xddp_bad.npy";
    auto write = [&](const std::string& bytes) {
        std::ofstream(file, std::ios::binary) << bytes;
    };
    write("hello");
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(file), doctest::Contains("not a .npy file"), xddp::format_error);
    write(std::string("\x93NUMPY\x01\x00\xff\x00", 10) + "{'descr'");
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(file), doctest::Contains("truncated .npy header"), xddp::format_error);
    const std::string head = std::string("\x93NUMPY\x01\x00", 8);
    auto with_header = [&](const std::string& dict) { return head + char(dict.size()) + char(0) + dict; };
    write(with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }"));
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(file), doctest::Contains("Fortran-order"), xddp::format_error);
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }"));
    CHECK_THROWS_AS(xddp::io::load_npy<float>(file), xddp::format_error);
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"));
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(file), doctest::Contains("too large"), xddp::format_error);
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }") + std::string(12, '\0'));
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(file), doctest::Contains("(trailing bytes)"), xddp::format_error);
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (x,), }"));
    CHECK_THROWS_AS(xddp::io::load_npy<float>(file), xddp::format_error);
    // Found by fuzz_npy: extents without commas between them, and huge extents behind a zero one (no data
    // needed, but xtensor's strides would overflow).
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3,), }") + std::string(24, '\0'));
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(file), doctest::Contains("extents are separated by commas"),
                         xddp::format_error);
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 26164, 261644, 2616488888, 62531064), }"));
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(file), doctest::Contains("too large"), xddp::format_error);
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,,3), }"));
    CHECK_THROWS_WITH_AS(xddp::io::load_npy<float>(file), doctest::Contains("empty extent"), xddp::format_error);
    // What numpy writes stays readable: spaces, trailing commas, 0-d and empty arrays.
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': ( 2 , 3 ), }") + std::string(24, '\0'));
    CHECK(xddp::io::load_npy<float>(file).shape() == std::vector<std::size_t>{2, 3});
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }") + std::string(12, '\0'));
    CHECK(xddp::io::load_npy<float>(file).shape() == std::vector<std::size_t>{3});
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }") + std::string(4, '\0'));
    CHECK(xddp::io::load_npy<float>(file).dimension() == 0);
    write(with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }"));
    CHECK(xddp::io::load_npy<float>(file).shape() == std::vector<std::size_t>{0, 5});
    fs::remove(file);
    CHECK_THROWS_AS(xddp::io::load_npy<float>(file), xddp::io_error);
}

TEST_CASE("zoo: an unknown architecture lists the known ones") {
    CHECK_THROWS_WITH_AS(xddp::zoo::build("alexnet9"), doctest::Contains("built-in ones are: tiny_vgg"),
                         xddp::unsupported_error);
}

TEST_CASE("profile layers refuse graphs they cannot group") {
    xddp::graph g({3, 8, 8});
    const auto c = g.add("conv", xddp::conv2d({.in_channels = 3, .out_channels = 3, .kernel = {1, 1}}), g.input());
    const auto r = g.add("relu", xddp::relu{}, c);
    g.add("sum", xddp::add{}, c, r);  // reads the conv layer's head, an inner node
    CHECK_THROWS_AS(xddp::layer_groups(g), xddp::unsupported_error);
}
