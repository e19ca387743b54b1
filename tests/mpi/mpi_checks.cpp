// Run under `mpiexec -np 3`: the failure paths of xddp::mpi's reduction. A rank whose work throws, a rank
// that sends bytes the merge cannot read, and a failure before the reduction (on_every_rank) must make
// every rank throw distributed_error, rank 0's naming exactly the failed rank and its shard; a good run
// merges every rank's part in rank order. Exit status 0 on every rank when all checks hold.
//
//   mpi_checks [REPEAT]   runs the failure checks REPEAT times (default 1): a report that arrives only
//                         when the timing is kind fails within a few repetitions
//   mpi_checks --die      rank 2 kills itself (SIGKILL) before the reduction: mpirun must end the job
//                         with a non-zero status and name the rank, not hang (docs/distributed.md)

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <xddp/distributed/mpi.hpp>

namespace {

int failures = 0;

void check(bool ok, const std::string& what, int rank) {
    if (ok) return;
    ++failures;
    std::fprintf(stderr, "rank %d: FAILED: %s\n", rank, what.c_str());
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::vector<std::uint8_t> concat(std::vector<std::uint8_t> mine, std::vector<std::uint8_t> theirs) {
    mine.insert(mine.end(), theirs.begin(), theirs.end());
    return mine;
}

// The failure paths, once.
void check_failures(const xddp::mpi::communicator& world) {
    const int rank = world.rank();

    // Rank 1 fails: everyone throws, rank 0's message names rank 1, its shard and its error, and no other rank.
    try {
        xddp::mpi::reduce_to_root(
            world,
            [&](std::string& shard) {
                shard = "inputs [" + std::to_string(10 * rank) + ", " + std::to_string(10 * rank + 10) + ")";
                if (rank == 1) throw xddp::io_error("cannot read 'shard1.npy'");
                return std::vector<std::uint8_t>{1};
            },
            concat);
        check(false, "a failed rank must make every rank throw", rank);
    } catch (const xddp::distributed_error& e) {
        const std::string m = e.what();
        check(contains(m, "1 of 3 ranks failed"), "failure count in: " + m, rank);
        check(contains(m, "rank 1 (inputs [10, 20)): cannot read 'shard1.npy'"), "rank 1 named in: " + m, rank);
        check(!contains(m, "rank 0 (") && !contains(m, "rank 2 ("), "only rank 1 named in: " + m, rank);
    }

    // Rank 2 sends bytes its merge cannot read: the merging rank reports it.
    try {
        xddp::mpi::reduce_to_root(
            world, [&](std::string&) { return std::vector<std::uint8_t>{static_cast<std::uint8_t>(rank)}; },
            [](std::vector<std::uint8_t> mine, std::vector<std::uint8_t> theirs) {
                if (theirs.size() == 1 && theirs[0] == 2) throw xddp::format_error("malformed part");
                return mine;
            });
        check(false, "a malformed part must make every rank throw", rank);
    } catch (const xddp::distributed_error& e) {
        const std::string m = e.what();
        check(contains(m, "rank 0 (rank 0): merging the results of ranks 2 to 2: malformed part"),
              "the merge failure in: " + m, rank);
    }

    // A failure before any reduction, on one rank only.
    try {
        xddp::mpi::on_every_rank(world, "reading the model", [&] {
            if (rank == 2) throw xddp::io_error("no such file 'model.onnx'");
        });
        check(false, "on_every_rank must throw on every rank", rank);
    } catch (const xddp::distributed_error& e) {
        check(contains(e.what(), "rank 2 (reading the model): no such file 'model.onnx'"),
              std::string("the load failure in: ") + e.what(), rank);
    }

    // Rank 1 fails at once, rank 2 late: after ranks 0 and 1 have entered the reduction and wait for it.
    try {
        xddp::mpi::reduce_to_root(
            world,
            [&](std::string& shard) {
                shard = "shard " + std::to_string(rank);
                if (rank == 1) throw xddp::io_error("early");
                if (rank == 2) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    throw xddp::value_error("late");
                }
                return std::vector<std::uint8_t>{1};
            },
            concat);
        check(false, "two failed ranks must make every rank throw", rank);
    } catch (const xddp::distributed_error& e) {
        const std::string m = e.what();
        check(contains(m, "2 of 3 ranks failed") && contains(m, "rank 1 (shard 1): early") &&
                  contains(m, "rank 2 (shard 2): late"),
              "both failed ranks named in: " + m, rank);
    }
}

}  // namespace

int main(int argc, char** argv) {
    xddp::mpi::environment env;
    const xddp::mpi::communicator world;
    const int rank = world.rank();
    check(world.size() == 3, "expected 3 ranks (mpiexec -np 3)", rank);

    if (argc > 1 && std::string(argv[1]) == "--die") {
        if (rank == 2) std::raise(SIGKILL);
        xddp::mpi::reduce_to_root(world, [&](std::string&) { return std::vector<std::uint8_t>{1}; }, concat);
        std::fprintf(stderr, "rank %d: FAILED: the reduction finished without rank 2\n", rank);
        return 1;
    }
    const int repeat = argc > 1 ? std::atoi(argv[1]) : 1;

    // A good run: the parts arrive at rank 0 in rank order.
    {
        const auto r = xddp::mpi::reduce_to_root(
            world, [&](std::string&) { return std::vector<std::uint8_t>{static_cast<std::uint8_t>(rank)}; }, concat);
        if (rank == 0) check(r && *r == std::vector<std::uint8_t>{0, 1, 2}, "parts in rank order", rank);
        else check(!r, "only rank 0 holds the result", rank);
    }
    for (int i = 0; i < repeat; ++i) check_failures(world);

    // Shards of whole batches: 10 items in batches of 4 over 3 ranks are [0, 4), [4, 8), [8, 10).
    const xddp::shard s = xddp::shard_of(10, 3, static_cast<std::size_t>(rank), 4);
    const xddp::shard want[] = {{0, 4}, {4, 8}, {8, 10}};
    check(s == want[rank], "shard_of(10, 3, rank, 4)", rank);

    // No rank leaves before every rank has reported its checks (a non-zero exit ends the job at once).
    const int status = xddp::mpi::job_status(world, failures != 0);
    if (rank == 0 && status == 0)
        std::printf("xddp_mpi_checks: all checks hold on %d ranks, failure paths %d time(s)\n", world.size(), repeat);
    return status;
}
