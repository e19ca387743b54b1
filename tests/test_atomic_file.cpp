// Atomic outputs (io/atomic_file.hpp): a failed write, at any point, leaves the previous file byte for byte.

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#if __has_include(<sys/resource.h>)
#include <sys/resource.h>
#define XDDP_TEST_RLIMIT 1
#endif

#include <xddp/io/atomic_file.hpp>
#include <xddp/io/npy.hpp>
#include <xddp/profile/json.hpp>

#include "scratch_dir.hpp"

namespace fs = std::filesystem;

namespace {


std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_plain(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

}  // namespace

TEST_CASE("write_atomically replaces a file whole and keeps its mode") {
    scratch_dir s;
    const fs::path f = s.dir / "out.txt";
    write_plain(f, "old");
    fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write);
    xddp::io::write_atomically(f, [](std::ostream& os) { os << "new contents"; });
    CHECK(read(f) == "new contents");
    CHECK((fs::status(f).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(s.entries() == 1);  // no temporary left behind
}

TEST_CASE("a failing stream or a throwing writer leaves the previous file byte for byte") {
    scratch_dir s;
    const fs::path f = s.dir / "out.json";
    write_plain(f, "previous");
    // The stream fails halfway, as on a full disk.
    CHECK_THROWS_AS(xddp::io::write_atomically(f, [](std::ostream& os) {
                        os << "half";
                        os.setstate(std::ios::badbit);
                    }),
                    xddp::io_error);
    CHECK(read(f) == "previous");
    // An xddp error from the writer passes through unchanged; any other becomes an io_error naming the file.
    CHECK_THROWS_AS(xddp::io::write_atomically(f, [](std::ostream&) { throw xddp::value_error("bad value"); }),
                    xddp::value_error);
    CHECK_THROWS_WITH_AS(xddp::io::write_atomically(f, [](std::ostream&) { throw std::runtime_error("boom"); }),
                         doctest::Contains("out.json"), xddp::io_error);
    CHECK(read(f) == "previous");
    CHECK(s.entries() == 1);
}

TEST_CASE("outputs that are not regular files, or in missing folders, are refused before writing") {
    scratch_dir s;
    CHECK_THROWS_WITH_AS(xddp::io::write_atomically(s.dir, [](std::ostream& os) { os << "x"; }),
                         doctest::Contains("is a directory"), xddp::io_error);
    if (fs::exists("/dev/full"))
        CHECK_THROWS_WITH_AS(xddp::io::write_atomically("/dev/full", [](std::ostream& os) { os << "x"; }),
                             doctest::Contains("character device"), xddp::io_error);
    CHECK_THROWS_WITH_AS(xddp::io::write_atomically(s.dir / "no" / "f.txt", [](std::ostream& os) { os << "x"; }),
                         doctest::Contains("does not exist"), xddp::io_error);
}

TEST_CASE("an output transaction changes nothing until commit, and nothing at all when a file fails") {
    scratch_dir s;
    const fs::path a = s.dir / "a.json", b = s.dir / "b.graphml", folder = s.dir / "per_input" / "deep";
    write_plain(a, "A0");
    {
        xddp::io::output_transaction out;
        out.write(a, [](std::ostream& os) { os << "A1"; });
        out.create_directories(folder);
        out.write(folder / "p0.json", [](std::ostream& os) { os << "P0"; });
        CHECK(read(a) == "A0");  // not yet
        CHECK_THROWS_AS(out.write(b, [](std::ostream& os) { os.setstate(std::ios::failbit); }), xddp::io_error);
    }  // destroyed without commit: temporaries and the folders it made are gone
    CHECK(read(a) == "A0");
    CHECK(!fs::exists(b));
    CHECK(!fs::exists(s.dir / "per_input"));
    CHECK(s.entries() == 1);

    xddp::io::output_transaction out;
    out.write(a, [](std::ostream& os) { os << "A2"; });
    out.write(b, [](std::ostream& os) { os << "B2"; });
    CHECK_THROWS_AS(out.write(a, [](std::ostream& os) { os << "again"; }), xddp::value_error);
    out.commit();
    CHECK(read(a) == "A2");
    CHECK(read(b) == "B2");
}

TEST_CASE("a symbolic link at the target is followed: the linked file is replaced") {
    scratch_dir s;
    const fs::path real = s.dir / "real.txt", link = s.dir / "link.txt";
    write_plain(real, "old");
    fs::create_symlink(real, link);
    xddp::io::write_atomically(link, [](std::ostream& os) { os << "new"; });
    CHECK(fs::is_symlink(link));
    CHECK(read(real) == "new");
}

TEST_CASE("outputs naming an input of the run, or one another, are refused") {
    scratch_dir s;
    const fs::path in = s.dir / "x.npy", weights = s.dir / "weights";
    write_plain(in, "input");
    fs::create_directories(weights);
    const std::vector<fs::path> inputs{in, weights};
    auto check = [&](std::vector<fs::path> outputs) { xddp::io::require_distinct_outputs(outputs, inputs); };
    CHECK_THROWS_WITH_AS(check({in}), doctest::Contains("would overwrite the input"), xddp::value_error);
    CHECK_THROWS_AS(check({s.dir / "." / "x.npy"}), xddp::value_error);          // another spelling
    CHECK_THROWS_AS(check({weights / "conv.weight.npy"}), xddp::value_error);    // inside a weights folder
    CHECK_THROWS_WITH_AS(check({s.dir / "a.json", s.dir / "a.json"}), doctest::Contains("the same file"),
                         xddp::value_error);
    CHECK_NOTHROW(check({s.dir / "a.json", fs::path{}, s.dir / "b.json"}));
    CHECK(read(in) == "input");
}

#if XDDP_TEST_RLIMIT
TEST_CASE("under a file-size limit a library writer fails cleanly and keeps the previous file") {
    // The fault a full disk or `ulimit -f` injects: write() fails with EFBIG (SIGXFSZ ignored, as xddp does).
    scratch_dir s;
    const fs::path f = s.dir / "profile.json";
    write_plain(f, "previous profile");
    xddp::profile p;
    p.num_inputs = 1;
    xddp::layer_profile l;
    l.name = "input";
    l.kind = "input";
    l.shape = {3, 64, 64};
    l.neurons.size = 3;
    for (std::size_t i = 0; i < 3; ++i) {
        l.neurons.index.push_back(i);
        l.neurons.count.push_back(1000000 + i);
    }
    p.layers.push_back(l);
    std::string big;
    for (int i = 0; i < 200; ++i) big += "a long layer name to make the file large ";
    p.layers[0].name = big;  // ~8 kB of JSON
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit saved{};
    getrlimit(RLIMIT_FSIZE, &saved);
    rlimit small = saved;
    small.rlim_cur = 1024;
    setrlimit(RLIMIT_FSIZE, &small);
    bool threw = false;
    try {
        xddp::save_profile_json(f, p);
    } catch (const xddp::io_error&) {
        threw = true;
    }
    setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, old_handler);
    CHECK(threw);
    CHECK(read(f) == "previous profile");
    CHECK(s.entries() == 1);
}
#endif
