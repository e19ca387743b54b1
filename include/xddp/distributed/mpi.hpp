#pragma once
// xddp::mpi: class profiles, state counts and sensitivity sweeps across the processes of an MPI job
// (OpenMPI, MPICH, ...). Optional: the only xddp header that includes <mpi.h>; link MPI::MPI_CXX (CMake
// target xddp::mpi where xddp is built with XDDP_MPI). docs/distributed.md says how to run it.
//
//   xddp::mpi::environment env;                     // MPI_Init ... MPI_Finalize
//   xddp::mpi::communicator world;
//   auto cls = xddp::mpi::class_profile<xddp::channel_neurons>(world, g, images, {.threshold = 0.1}, 8);
//   if (cls) xddp::save_profile_json("class.json", *cls);   // rank 0 holds the result
//
// Every rank takes a shard (contiguous whole batches of the inputs, or contiguous weight tensors of a
// sweep), runs the pipeline on it, and the partial results are reduced to rank 0 along a binomial tree:
// in round k, rank r with r % 2^(k+1) == 2^k sends its bytes to r - 2^k, which merges them into its own
// and frees them. Rank 0 holds one partial result and one message at a time (never O(ranks) of them) and
// receives ceil(log2(ranks)) messages. The merges are associative and order-independent
// (profile/class_profile.hpp, state_counter::merge, ordered_rows), and shards are whole batches, so the
// result is the single-process result bit for bit.
//
// A rank that fails (bad file, out of memory, a malformed message) sends its failure up the tree instead
// of a result; rank 0 then throws distributed_error naming every failed rank and its shard, and every
// other rank throws it too, so no rank hangs and nothing is silently dropped. No rank should exit before
// rank 0 has written that report: end every rank through job_status (docs/distributed.md).

// The C API only: the deprecated C++ bindings that mpi.h would otherwise pull in are not used.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "xddp/core/error.hpp"
#include "xddp/core/ordered_rows.hpp"
#include "xddp/core/simd_level.hpp"
#include "xddp/core/tensor_ref.hpp"
#include "xddp/distributed/shard.hpp"
#include "xddp/io/bytes.hpp"
#include "xddp/model/graph.hpp"
#include "xddp/pipeline/pipeline.hpp"
#include "xddp/pipeline/profile_stage.hpp"
#include "xddp/profile/bytes.hpp"
#include "xddp/profile/class_profile.hpp"
#include "xddp/pruning/bytes.hpp"
#include "xddp/pruning/sensitivity.hpp"
#include "xddp/state/accuracy.hpp"
#include "xddp/state/bytes.hpp"
#include "xddp/state/capture.hpp"

namespace xddp {

// One or more ranks of a distributed run failed; what() names each rank, its shard and its error.
class distributed_error : public error {
public:
    using error::error;
};

namespace mpi {

namespace detail {

inline void check(int code, const char* call) {
    if (code == MPI_SUCCESS) return;
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw distributed_error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

}  // namespace detail

// MPI_Init_thread (funneled: only the thread that made the environment calls MPI; xddp's own pool
// threads never do) and MPI_Finalize. Does nothing where MPI is already initialised by the caller.
class environment {
public:
    environment() {
        int initialised = 0;
        MPI_Initialized(&initialised);
        if (initialised) return;
        int provided = 0;
        detail::check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
        owner_ = true;
    }
    ~environment() {
        int finalised = 0;
        MPI_Finalized(&finalised);
        if (owner_ && !finalised) MPI_Finalize();
    }
    environment(const environment&) = delete;
    environment& operator=(const environment&) = delete;

private:
    bool owner_ = false;
};

class communicator {
public:
    explicit communicator(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
        detail::check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
        detail::check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
    }
    int rank() const noexcept { return rank_; }
    int size() const noexcept { return size_; }
    bool root() const noexcept { return rank_ == 0; }
    MPI_Comm get() const noexcept { return comm_; }

    // A length, then the bytes in pieces MPI's int counts can hold.
    void send(std::span<const std::uint8_t> bytes, int to) const {
        std::uint64_t n = bytes.size();
        detail::check(MPI_Send(&n, 1, MPI_UINT64_T, to, tag_size, comm_), "MPI_Send");
        for (std::size_t at = 0; at < bytes.size(); at += piece) {
            const int count = static_cast<int>(std::min(piece, bytes.size() - at));
            detail::check(MPI_Send(bytes.data() + at, count, MPI_BYTE, to, tag_bytes, comm_), "MPI_Send");
        }
    }
    std::vector<std::uint8_t> receive(int from) const {
        std::uint64_t n = 0;
        detail::check(MPI_Recv(&n, 1, MPI_UINT64_T, from, tag_size, comm_, MPI_STATUS_IGNORE), "MPI_Recv");
        std::vector<std::uint8_t> bytes(static_cast<std::size_t>(n));
        for (std::size_t at = 0; at < bytes.size(); at += piece) {
            const int count = static_cast<int>(std::min(piece, bytes.size() - at));
            detail::check(MPI_Recv(bytes.data() + at, count, MPI_BYTE, from, tag_bytes, comm_, MPI_STATUS_IGNORE),
                          "MPI_Recv");
        }
        return bytes;
    }
    // True on every rank when `mine` is true on any rank (a logical or over the ranks).
    bool any(bool mine) const {
        int in = mine ? 1 : 0, out = 0;
        detail::check(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MAX, comm_), "MPI_Allreduce");
        return out != 0;
    }
    // Rank 0's bytes to every rank.
    std::vector<std::uint8_t> broadcast(std::vector<std::uint8_t> bytes) const {
        std::uint64_t n = bytes.size();
        detail::check(MPI_Bcast(&n, 1, MPI_UINT64_T, 0, comm_), "MPI_Bcast");
        bytes.resize(static_cast<std::size_t>(n));
        for (std::size_t at = 0; at < bytes.size(); at += piece) {
            const int count = static_cast<int>(std::min(piece, bytes.size() - at));
            detail::check(MPI_Bcast(bytes.data() + at, count, MPI_BYTE, 0, comm_), "MPI_Bcast");
        }
        return bytes;
    }

private:
    static constexpr int tag_size = 7101, tag_bytes = 7102;
    static constexpr std::size_t piece = std::size_t{1} << 30;
    MPI_Comm comm_;
    int rank_ = 0, size_ = 1;
};

// What travels up the reduction tree: a partial result, or the failures below this rank.
namespace detail {

inline constexpr std::string_view envelope_tag = "xddpMPI1";

struct failure {
    int rank = 0;
    std::string shard, what;
};

struct envelope {
    std::vector<std::uint8_t> payload;  // when failures is empty
    std::vector<failure> failures;
};

inline std::vector<std::uint8_t> encode(const envelope& e) {
    io::byte_writer w;
    w.magic(envelope_tag);
    w.u64(e.failures.size());
    for (const failure& f : e.failures) {
        w.u64(static_cast<std::uint64_t>(f.rank));
        w.str(f.shard);
        w.str(f.what);
    }
    if (e.failures.empty()) w.block(e.payload);
    return w.take();
}

inline envelope decode(std::span<const std::uint8_t> bytes) {
    io::byte_reader r(bytes, "an MPI message");
    r.magic(envelope_tag);
    envelope e;
    const std::size_t n = r.count("failures", 24);
    for (std::size_t i = 0; i < n; ++i) {
        failure f;
        f.rank = static_cast<int>(r.u64("a rank"));
        f.shard = r.str("a shard");
        f.what = r.str("an error");
        e.failures.push_back(std::move(f));
    }
    if (n == 0) {
        const auto p = r.block("the payload");
        e.payload.assign(p.begin(), p.end());
    }
    r.finish();
    return e;
}

// The inputs as a batch (N, ...) (one sample without its batch axis is N = 1), and N.
inline std::pair<tensor_ref, std::size_t> as_batch(const tensor_ref& x, const graph& g) {
    if (x.dimension() == g.input_shape().size()) {
        shape_t shape{1};
        shape.insert(shape.end(), x.shape().begin(), x.shape().end());
        return {x.reshaped(std::move(shape)), 1};
    }
    return {x, x.dimension() ? x.shape()[0] : 0};
}

// Rows [s.first, s.last) of a batch of n.
inline tensor_ref rows(const tensor_ref& all, std::size_t n, const shard& s) {
    shape_t shape = all.shape();
    shape[0] = s.size();
    return tensor_ref(all.data() + s.first * (all.size() / n), std::move(shape));
}

inline std::string describe(const std::vector<failure>& failures, int ranks) {
    std::string s = std::to_string(failures.size()) + " of " + std::to_string(ranks) + " ranks failed";
    for (const failure& f : failures) s += "\n  rank " + std::to_string(f.rank) + " (" + f.shard + "): " + f.what;
    return s;
}

}  // namespace detail

// The reduction every distributed function here is built on. `local(shard)` computes this rank's part
// as bytes (and may set `shard`, the description of its share, for error messages); `merge(mine, theirs)`
// merges a higher rank's bytes into this rank's, theirs being the later shards. Returns the merged
// bytes of all ranks on rank 0 and nullopt elsewhere; throws distributed_error on every rank if any
// rank failed.
template <class Local, class Merge>
std::optional<std::vector<std::uint8_t>> reduce_to_root(const communicator& comm, Local&& local, Merge&& merge) {
    detail::envelope mine;
    std::string shard = "rank " + std::to_string(comm.rank());
    const auto fail = [&](const std::string& what) {
        mine.payload.clear();
        mine.failures.push_back({comm.rank(), shard, what});
    };
    try {
        mine.payload = local(shard);
    } catch (const std::exception& e) {
        fail(e.what());
    }
    for (int step = 1; step < comm.size(); step *= 2) {
        if (comm.rank() % (2 * step) == step) {
            comm.send(detail::encode(mine), comm.rank() - step);
            mine = {};
            break;
        }
        if (comm.rank() % (2 * step) != 0 || comm.rank() + step >= comm.size()) continue;
        const int from = comm.rank() + step;
        try {
            detail::envelope theirs = detail::decode(comm.receive(from));
            if (!theirs.failures.empty()) {
                mine.payload.clear();
                mine.failures.insert(mine.failures.end(), theirs.failures.begin(), theirs.failures.end());
            } else if (mine.failures.empty()) {
                mine.payload = merge(std::move(mine.payload), std::move(theirs.payload));
            }
        } catch (const distributed_error&) {
            throw;  // MPI itself failed: nothing more can be sent
        } catch (const std::exception& e) {
            fail(std::string("merging the results of ranks ") + std::to_string(from) + " to " +
                 std::to_string(std::min(comm.size(), from + step) - 1) + ": " + e.what());
        }
    }
    // Every rank learns whether the run failed, and why.
    std::vector<std::uint8_t> status;
    if (comm.root()) {
        io::byte_writer w;
        w.str(mine.failures.empty() ? std::string() : detail::describe(mine.failures, comm.size()));
        status = w.take();
    }
    status = comm.broadcast(std::move(status));
    io::byte_reader r(status, "the run's status");
    const std::string failed = r.str("the failures");
    if (!failed.empty()) throw distributed_error(failed);
    if (!comm.root()) return std::nullopt;
    return std::move(mine.payload);
}

// The end of a job: every rank says whether it failed, and learns whether any rank did. Call it on every
// rank after rank 0 has reported the failures (a distributed_error's what()) and before any rank exits: a
// rank that exits with a non-zero status makes mpirun end the whole job at once, and a report not yet
// written by then is lost. Returns the status every rank should exit with (0, or 1 if any rank failed),
// so that all ranks exit alike.
inline int job_status(const communicator& comm, bool failed) { return comm.any(failed) ? 1 : 0; }

// Runs f() on every rank and agrees on the outcome: if it throws on any rank, every rank throws
// distributed_error naming the failed ranks (`what`: what f does, e.g. "loading the model"). Use it for
// the steps before a reduction (loading files), so that one rank's failure cannot leave the others
// waiting for it.
template <class F>
void on_every_rank(const communicator& comm, const std::string& what, F&& f) {
    reduce_to_root(
        comm,
        [&](std::string& description) {
            description = what;
            f();
            return std::vector<std::uint8_t>{};
        },
        [](std::vector<std::uint8_t> mine, std::vector<std::uint8_t>) { return mine; });
}

// The class profile of all ranks' inputs (each rank holds the same `inputs`, (N, ...) or one sample, and
// profiles its shard of whole batches of `batch`): on rank 0 the profile a single process with that batch
// size computes, bit for bit; nullopt elsewhere. on_profile sees this rank's inputs with their indices.
template <neuron_policy P>
std::optional<profile> class_profile(const communicator& comm, const graph& g, const tensor_ref& inputs,
                                     const profile_options& options, std::size_t batch,
                                     std::function<void(std::size_t, const profile&)> on_profile = {}) {
    const auto bytes = reduce_to_root(
        comm,
        [&](std::string& description) {
            if (batch == 0) throw value_error("class_profile: the batch size must be positive");
            const auto [all, n] = detail::as_batch(inputs, g);
            const shard s = shard_of(n, static_cast<std::size_t>(comm.size()), static_cast<std::size_t>(comm.rank()), batch);
            description = to_string(s);
            class_profile_sum sum;
            if (!s.empty()) {
                const tensor_ref part = detail::rows(all, n, s);
                profile_stage<P> stage(options);
                stage.first_input(s.first);
                if (on_profile) stage.on_profile(on_profile);
                pipeline p(g, std::move(stage));
                p.run(part, {.batch_size = batch, .progress = {}});
                sum = p.template stage<0>().partial_sums();
            }
            return class_profile_sum_to_bytes(sum);
        },
        [](std::vector<std::uint8_t> mine, std::vector<std::uint8_t> theirs) {
            class_profile_sum sum = class_profile_sum_from_bytes(mine);
            sum.merge(class_profile_sum_from_bytes(theirs));
            return class_profile_sum_to_bytes(sum);
        });
    if (!bytes) return std::nullopt;
    return class_profile_sum_from_bytes(*bytes).total();
}

// The kernel level every rank runs: each rank's active level (its CPU's best, or what XDDP_SIMD or
// set_simd_level chose), and the lowest of them set on every rank. Levels agree to rounding, not to the bit
// (core/simd_level.hpp), so ranks on machines with different instruction sets would otherwise merge
// results of different bits, and rank 0's output would no longer be what one process writes. Call it on
// every rank before any computation; the byte-identity promise holds against a single process run at the
// level it returns. A rank whose level cannot be read (a bad XDDP_SIMD) fails it on every rank.
inline simd_level agree_on_simd_level(const communicator& comm) {
    int mine = 0;
    on_every_rank(comm, "choosing the SIMD level", [&] { mine = static_cast<int>(active_simd_level()); });
    int lowest = 0;
    detail::check(MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, comm.get()), "MPI_Allreduce");
    const auto level = static_cast<simd_level>(lowest);
    set_simd_level(level);  // every rank supports the levels below its own
    return level;
}

// State capture (and, given labels, top-1 accuracy) of all ranks' inputs.
template <class Hash>
struct captured_states {
    state_capture<Hash> capture;
    std::size_t correct = 0, seen = 0;  // of the labelled inputs (0, 0 without labels)
};

// Each rank captures the states of its shard of whole batches; on rank 0 the merged capture, whose
// counts, entropies and efficiencies equal a single process's with that batch size; nullopt elsewhere.
// labels: one per input, or empty (no accuracy).
template <class Hash>
std::optional<captured_states<Hash>> capture_states(const communicator& comm, const graph& g, const tensor_ref& inputs,
                                                    const capture_options& options, std::size_t batch,
                                                    std::span<const std::int64_t> labels = {}) {
    const auto encode = [](const captured_states<Hash>& c) {
        io::byte_writer w;
        w.block(state_capture_to_bytes(c.capture));
        w.u64(c.correct);
        w.u64(c.seen);
        return w.take();
    };
    const auto decode_into = [](captured_states<Hash>& c, std::span<const std::uint8_t> bytes) {
        io::byte_reader r(bytes, "captured states");
        merge_state_capture_bytes(c.capture, r.block("the capture"));
        c.correct += static_cast<std::size_t>(r.u64("correct"));
        c.seen += static_cast<std::size_t>(r.u64("seen"));
        r.finish();
    };
    const auto bytes = reduce_to_root(
        comm,
        [&](std::string& description) {
            if (batch == 0) throw value_error("capture_states: the batch size must be positive");
            const auto [all, n] = detail::as_batch(inputs, g);
            if (!labels.empty() && labels.size() != n)
                throw shape_error("capture_states: " + std::to_string(labels.size()) + " labels for " +
                                  std::to_string(n) + " inputs; expected one label per input");
            const shard s = shard_of(n, static_cast<std::size_t>(comm.size()), static_cast<std::size_t>(comm.rank()), batch);
            description = to_string(s);
            captured_states<Hash> c{state_capture<Hash>(options)};
            c.capture.start(g, 0);  // the points, even for an empty shard
            if (!s.empty()) {
                const tensor_ref part = detail::rows(all, n, s);
                const run_options run{.batch_size = batch};
                if (labels.empty()) {
                    pipeline p(g, std::move(c.capture));
                    p.run(part, run);
                    c.capture = std::move(p.template stage<0>());
                } else {
                    pipeline p(g, std::move(c.capture), accuracy_stage(labels.subspan(s.first, s.size())));
                    p.run(part, run);
                    c.capture = std::move(p.template stage<0>());
                    c.correct = p.template stage<1>().correct();
                    c.seen = p.template stage<1>().seen();
                }
            }
            return encode(c);
        },
        [&](std::vector<std::uint8_t> mine, std::vector<std::uint8_t> theirs) {
            captured_states<Hash> c{state_capture<Hash>(options)};
            c.capture.start(g, 0);
            decode_into(c, mine);
            decode_into(c, theirs);
            return encode(c);
        });
    if (!bytes) return std::nullopt;
    captured_states<Hash> c{state_capture<Hash>(options)};
    c.capture.start(g, 0);
    decode_into(c, *bytes);
    return c;
}

// Distiller's sensitivity sweep with the weight tensors shared out: each rank sweeps a contiguous group
// of them (every rank evaluates on the whole data set, with the same batches); on rank 0 the rows of a
// single-process sweep, in its order; nullopt elsewhere. options.progress runs on every rank for its own
// evaluations.
inline std::optional<std::vector<sensitivity_row>> sensitivity_sweep(const communicator& comm, const graph& model,
                                                                     const tensor_ref& images,
                                                                     std::span<const std::int64_t> labels,
                                                                     const sensitivity_options& options = {}) {
    graph names_of = model;
    std::vector<std::string> tensors = options.parameters;
    if (tensors.empty())
        for (const auto& w : prunable_weights(names_of, options.mode)) tensors.push_back(w.name);
    const std::size_t levels = options.levels.size(), total = tensors.size() * levels;
    const auto bytes = reduce_to_root(
        comm,
        [&](std::string& description) {
            const shard s = shard_of(tensors.size(), static_cast<std::size_t>(comm.size()),
                                     static_cast<std::size_t>(comm.rank()));
            description = s.empty() ? std::string("no tensors")
                                    : to_string(s, "tensors") + ": " + tensors[s.first] + " to " + tensors[s.last - 1];
            ordered_rows<sensitivity_row> rows;
            if (!s.empty() || tensors.empty()) {
                sensitivity_options mine = options;
                mine.parameters.assign(tensors.begin() + static_cast<std::ptrdiff_t>(s.first),
                                       tensors.begin() + static_cast<std::ptrdiff_t>(s.last));
                // No tensor at all: the single-process sweep's own error, from rank 0.
                if (tensors.empty() && comm.rank() != 0) return sensitivity_rows_to_bytes(rows);
                rows.add(s.first * levels, xddp::sensitivity_sweep(model, images, labels, mine));
            }
            return sensitivity_rows_to_bytes(rows);
        },
        [](std::vector<std::uint8_t> mine, std::vector<std::uint8_t> theirs) {
            ordered_rows<sensitivity_row> rows = sensitivity_rows_from_bytes(mine);
            rows.merge(sensitivity_rows_from_bytes(theirs));
            return sensitivity_rows_to_bytes(rows);
        });
    if (!bytes) return std::nullopt;
    return sensitivity_rows_from_bytes(*bytes).rows(total);
}

}  // namespace mpi

}  // namespace xddp
