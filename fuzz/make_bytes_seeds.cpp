// Writes seeds for fuzz_profile_json and fuzz_mpi_bytes: small valid values of each format, made with the
// library's own writers so that they follow its changes. fuzz/corpus/{profile_json,mpi_bytes} hold the
// committed output of `make_bytes_seeds fuzz/corpus`.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <xddp/profile/bytes.hpp>
#include <xddp/profile/json.hpp>
#include <xddp/pruning/bytes.hpp>
#include <xddp/state/bytes.hpp>

#include "small_profile.hpp"  // tests/

namespace {

void write(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes, std::uint8_t format) {
    std::ofstream os(file, std::ios::binary);
    os.put(static_cast<char>(format));
    os.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
    const std::filesystem::path root = argc > 1 ? argv[1] : "corpus";
    std::filesystem::create_directories(root / "profile_json");
    std::filesystem::create_directories(root / "mpi_bytes");
    const xddp::profile p = small_profile();
    std::ofstream(root / "profile_json" / "small.json") << xddp::to_json(p);
    xddp::profile element = p;
    element.neuron_type = xddp::profile_neuron_type::element;
    element.layers[0].neurons.size = 48;
    element.layers[1].neurons.size = 32;
    std::ofstream(root / "profile_json" / "element.json") << xddp::to_json(element);

    write(root / "mpi_bytes" / "profile.bin", xddp::profile_to_bytes(p), 0);
    xddp::class_profile_sum sum;
    sum.add(0, p);
    sum.add(1, p);
    write(root / "mpi_bytes" / "class_profile_sum.bin", xddp::class_profile_sum_to_bytes(sum), 1);
    const std::vector<float> activations{1, -1, 0.5f, 2, -3, 0, 1, 1, 0, 0, 2, 0};  // 2 inputs x 3 neurons x 2
    xddp::state_counter<xddp::exact_hash> exact(3);
    exact.add(activations.data(), 2, 3, 2);
    write(root / "mpi_bytes" / "state_counter_exact.bin", xddp::state_counter_to_bytes(exact), 2);
    xddp::state_counter<xddp::compact_hash> compact(3);
    compact.add(activations.data(), 2, 3, 2);
    write(root / "mpi_bytes" / "state_counter_compact.bin", xddp::state_counter_to_bytes(compact), 3);
    xddp::ordered_rows<xddp::sensitivity_row> rows;
    xddp::sensitivity_row row;
    row.parameter = "conv1.weight";
    row.sparsity = 0.5;
    row.result.top1 = 90.0;
    row.result.top5 = 99.0;
    row.result.loss = 0.25;
    rows.add(0, {row});
    write(root / "mpi_bytes" / "sensitivity_rows.bin", xddp::sensitivity_rows_to_bytes(rows), 4);
    return 0;
}
