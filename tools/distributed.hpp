#pragma once
// --distributed: a subcommand run as one rank of an MPI job (`mpirun -np N xddp profile ... --distributed`,
// xddp/distributed/mpi.hpp), where the program is built with MPI (CMake option XDDP_MPI). Rank 0 prints
// and writes the results; the other ranks stay silent, also when the run fails (rank 0 reports every
// rank's failure).

#include <string>

#include <CLI/CLI.hpp>
#include <xddp/core/error.hpp>
#include <xddp/core/threads.hpp>

#if XDDP_WITH_MPI
#include <xddp/distributed/mpi.hpp>
#endif

namespace xddp::tool {

#if XDDP_WITH_MPI
inline constexpr bool built_with_mpi = true;
#else
inline constexpr bool built_with_mpi = false;
#endif

inline void require_mpi(const std::string& command) {
    if (!built_with_mpi)
        throw unsupported_error("xddp " + command + " --distributed: this xddp was built without MPI; install "
                                "libopenmpi-dev and openmpi-bin and configure with -DXDDP_MPI=ON, then run it "
                                "under mpirun -np N");
}

#if XDDP_WITH_MPI
// "3 ranks of 2 thread(s)": how a distributed run ran, for the results' timing line.
inline std::string ranks_description(const mpi::communicator& world) {
    return std::to_string(world.size()) + " ranks of " + std::to_string(num_threads()) + " thread(s)";
}

// Runs f(world) inside an MPI environment. A distributed_error is reported once, by rank 0; the other
// ranks exit with status 1 without repeating it.
template <class F>
void as_rank(F&& f) {
    mpi::environment env;
    mpi::communicator world;
    try {
        f(world);
    } catch (const distributed_error&) {
        if (world.root()) throw;
        throw CLI::RuntimeError(1);
    }
}
#endif

}  // namespace xddp::tool
