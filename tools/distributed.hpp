#pragma once
// --distributed: a subcommand run as one rank of an MPI job (`mpirun -np N xddp profile ... --distributed`,
// xddp/distributed/mpi.hpp), where the program is built with MPI (CMake option XDDP_MPI). Rank 0 prints
// and writes the results; the other ranks stay silent, also when the run fails (rank 0 reports every
// rank's failure, and no rank exits before it has).

#include <iostream>
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
// "3 ranks of 2 thread(s), SIMD level avx2": how a distributed run ran, for the results' timing line.
inline std::string ranks_description(const mpi::communicator& world) {
    return std::to_string(world.size()) + " ranks of " + std::to_string(num_threads()) + " thread(s), SIMD level " +
           std::string(to_string(active_simd_level()));
}

// Runs f(world) inside an MPI environment and ends every rank with the job's one outcome. Rank 0 reports a
// failure (a distributed_error names every failed rank; an error of its own after the reduction, such as
// an unwritable output, is its own), and only then does any rank leave: all ranks meet in job_status, so
// mpirun cannot end the job before the report is out, and then every rank exits with the same status.
// An error outside the reductions on another rank is a bug in the command (its peers cannot learn of it):
// that rank prints it and aborts the job rather than leave rank 0 waiting.
template <class F>
void as_rank(F&& f) {
    mpi::environment env;
    mpi::communicator world;
    bool failed = false;
    try {
        // One kernel level on every rank (the lowest any rank runs), so the merged bits are one process's.
        mpi::agree_on_simd_level(world);
        f(world);
    } catch (const distributed_error& e) {
        failed = true;
        if (world.root()) std::cerr << "xddp: error: " << e.what() << std::endl;
    } catch (const std::exception& e) {
        std::cerr << "xddp: error: " << (world.root() ? "" : "rank " + std::to_string(world.rank()) + ": ")
                  << e.what() << std::endl;
        if (!world.root()) MPI_Abort(world.get(), 1);
        failed = true;
    }
    if (mpi::job_status(world, failed) != 0) throw CLI::RuntimeError(1);
}
#endif

}  // namespace xddp::tool
