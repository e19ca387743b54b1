// Profile JSON: exact round trips, 17-digit numbers, validation of malformed documents and files, and the
// graph exports (GraphML, edge list).

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "xddp/profile/graph_export.hpp"
#include "xddp/profile/json.hpp"

#include "small_profile.hpp"

namespace {

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "test bug: '" << from << "' not in the document");
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("profile JSON: the documented layout, exact round trip") {
    const auto p = small_profile();
    const std::string text = xddp::to_json(p);
    CHECK(text.starts_with("{\"format\":\"xddp.profile/1\",\n\"neuron_type\":\"channel\",\n\"threshold\":0.10000000000000001,"));
    CHECK(text.find("\"weight\":[0.75,0.25]") != std::string::npos);
    CHECK(text.find("\"weight\":[1.0,") == std::string::npos);  // integral weights keep a ".0" ...
    CHECK(text.find("0.5,1.0]") != std::string::npos);          // ... as here
    CHECK(text.find("\"synapses\"") == text.rfind("\"synapses\""));  // layer 0 has none
    CHECK(xddp::parse_profile_json(text) == p);

    // Weights that need all 17 digits, tiny and subnormal ones, come back bit for bit.
    auto q = p;
    q.neuron_type = xddp::profile_neuron_type::mixed;
    q.num_inputs = 7;
    q.threshold = 1.0 / 3.0;
    q.layers[1].neurons.weight = {0.1 + 0.2, std::numeric_limits<double>::denorm_min()};
    q.layers[1].synapses[0].weight = {1.0 / 3.0, 2.0 / 3.0, 1e-300};
    q.layers[1].name = "with \"quotes\" and \\ and unicode \xc3\xa9";
    const auto back = xddp::parse_profile_json(xddp::to_json(q));
    CHECK(back == q);
    CHECK(back.layers[1].neurons.weight[0] == 0.1 + 0.2);

    // Through a file.
    const auto file = std::filesystem::temp_directory_path() / "xddp_test_profile_roundtrip.json";
    xddp::save_profile_json(file, q);
    CHECK(xddp::load_profile_json(file) == q);
    std::filesystem::remove(file);
    CHECK_THROWS_AS(xddp::load_profile_json(file), xddp::io_error);

    // Non-finite weights cannot be written.
    q.layers[1].neurons.weight[0] = std::nan("");
    CHECK_THROWS_AS(xddp::to_json(q), xddp::value_error);
}

TEST_CASE("profile JSON: malformed documents are format_errors that say what is wrong") {
    const std::string good = xddp::to_json(small_profile());
    REQUIRE_NOTHROW(xddp::parse_profile_json(good));
    const std::pair<std::string, std::string> broken[] = {
        {"not json", "{\"format\": "},
        {"not an object", "[1, 2]"},
        {"format string", replace(good, "xddp.profile/1", "xddp.profile/2")},
        {"neuron type", replace(good, "\"channel\"", "\"neuron\"")},
        {"threshold out of range", replace(good, "0.10000000000000001", "1.5")},
        {"threshold not a number", replace(good, "0.10000000000000001", "\"0.1\"")},
        {"num_inputs negative", replace(good, "\"num_inputs\":1", "\"num_inputs\":-1")},
        {"layers missing", replace(good, "\"layers\"", "\"strata\"")},
        {"kind not snake_case", replace(good, "\"conv2d\"", "\"Conv 3D\"")},
        {"layers out of order", replace(good, "{\"index\":1,", "{\"index\":0,")},
        {"predecessor not earlier", replace(good, "\"predecessors\":[0]", "\"predecessors\":[1]")},
        {"size does not fit shape", replace(good, "{\"size\":2,", "{\"size\":32,")},
        {"index not sorted", replace(good, "\"index\":[0,2]", "\"index\":[2,0]")},
        {"index duplicated", replace(good, "\"index\":[0,2]", "\"index\":[2,2]")},
        {"index beyond size", replace(good, "\"index\":[0,2]", "\"index\":[0,3]")},
        {"count length", replace(good, "\"count\":[1,2]", "\"count\":[1,2,3]")},
        {"count not an integer", replace(good, "\"count\":[1,2]", "\"count\":[1,2.5]")},
        {"count negative", replace(good, "\"count\":[1,2]", "\"count\":[1,-2]")},
        {"weight length", replace(good, "\"weight\":[0.75,0.25]", "\"weight\":[0.75]")},
        {"weight not a number", replace(good, "\"weight\":[0.75,0.25]", "\"weight\":[0.75,null]")},
        {"synapses from a non-predecessor", replace(good, "\"from\":0", "\"from\":1")},
        {"synapse arrays of different lengths", replace(good, "\"in\":[0,2,2]", "\"in\":[0,2]")},
        {"synapses not sorted", replace(good, "\"in\":[0,2,2]", "\"in\":[2,0,2]")},
        {"synapse out beyond size", replace(good, "\"out\":[0,0,1]", "\"out\":[0,0,2]")},
        {"synapse in beyond the predecessor's size", replace(good, "\"in\":[0,2,2]", "\"in\":[0,2,3]")},
        {"synapses not an array",
         replace(good, "[{\"from\":0,\"out\":[0,0,1],\"in\":[0,2,2],\"count\":[1,1,1],\"weight\":[0.5,0.5,1.0]}]",
                 "{\"from\":0}")},
    };
    for (const auto& [what, text] : broken) {
        INFO(what);
        try {
            (void)xddp::parse_profile_json(text);
            FAIL("accepted a malformed document");
        } catch (const xddp::format_error& e) {
            CHECK(std::string(e.what()).starts_with("profile JSON: "));
        }
    }

    // A malformed file: the message names it.
    const auto file = std::filesystem::temp_directory_path() / "xddp_test_profile_malformed.json";
    {
        std::ofstream os(file);
        os << replace(good, "\"index\":[0,2]", "\"index\":[2,0]");
    }
    try {
        (void)xddp::load_profile_json(file);
        FAIL("accepted a malformed file");
    } catch (const xddp::format_error& e) {
        CHECK(std::string(e.what()).find("xddp_test_profile_malformed.json") != std::string::npos);
        CHECK(std::string(e.what()).find("layer 0") != std::string::npos);
    }
    std::filesystem::remove(file);
}

TEST_CASE("profile JSON: a huge value is quoted cut to a readable length; absurd shapes are refused") {
    const std::string good = xddp::to_json(small_profile());
    const std::string huge(5'000'000, 'x');
    try {
        (void)xddp::parse_profile_json(replace(good, "xddp.profile/1", huge));
        FAIL("accepted a wrong format");
    } catch (const xddp::format_error& e) {
        CHECK(std::string(e.what()).size() < 400);
        CHECK(std::string(e.what()).find("5000002 characters") != std::string::npos);
    }
    CHECK_THROWS_AS(xddp::parse_profile_json(replace(good, "\"shape\":[3,4,4]", "\"shape\":[4294967296,4294967296,2]")),
                    xddp::format_error);
}

TEST_CASE("profile JSON: leniency where the format allows it") {
    const std::string good = xddp::to_json(small_profile());
    // A predecessor without a synapses entry has an empty set; unknown keys are ignored.
    auto p = xddp::parse_profile_json(replace(
        replace(good, ",\"synapses\":[{\"from\":0,\"out\":[0,0,1],\"in\":[0,2,2],\"count\":[1,1,1],\"weight\":[0.5,0.5,1.0]}]",
                ",\"synapses\":[]"),
        "\"num_inputs\":1", "\"num_inputs\":1,\"comment\":\"x\""));
    REQUIRE(p.layers[1].synapses.size() == 1);
    CHECK(p.layers[1].synapses[0].from == 0);
    CHECK(p.layers[1].synapses[0].size() == 0);
}

TEST_CASE("graph export: GraphML and edge list") {
    const auto p = small_profile();
    std::ostringstream edges;
    xddp::write_edge_list(edges, p);
    CHECK(edges.str() == "0:0 1:0 0.5\n0:2 1:0 0.5\n0:2 1:1 1\n");

    std::ostringstream ml;
    xddp::write_graphml(ml, p);
    const std::string g = ml.str();
    const auto occurrences = [&](const std::string& what) {
        std::size_t n = 0;
        for (auto at = g.find(what); at != std::string::npos; at = g.find(what, at + 1)) ++n;
        return n;
    };
    CHECK(g.starts_with("<?xml"));
    CHECK(occurrences("<node ") == 4);  // two input channels, two conv channels
    CHECK(occurrences("<edge ") == 3);
    CHECK(g.find("<node id=\"1:0\"><data key=\"layer\">1</data><data key=\"index\">0</data><data key=\"layer_name\">"
                 "features.0</data><data key=\"ncount\">1</data><data key=\"nweight\">0.75</data></node>") != std::string::npos);
    CHECK(g.find("<edge source=\"0:2\" target=\"1:1\"><data key=\"ecount\">1</data><data key=\"eweight\">1</data></edge>") !=
          std::string::npos);
    CHECK(g.ends_with("</graphml>\n"));

    const auto file = std::filesystem::temp_directory_path() / "xddp_test_profile.graphml";
    xddp::save_graphml(file, p);
    CHECK(std::filesystem::file_size(file) == g.size());
    std::filesystem::remove(file);
}
