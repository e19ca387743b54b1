#pragma once
// profile_stage: contribution profiles as a pipeline stage. Each forward pass's samples are profiled in
// parallel (one task per input), then added into a class_profile_sum under their input index, so the
// class profile is the same bits whatever the thread count, the batch size, or the shards of a
// distributed run (profile/class_profile.hpp). Per-input profiles are kept on request.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "xddp/core/neuron_policy.hpp"
#include "xddp/core/parallel_for.hpp"
#include "xddp/model/layer_groups.hpp"
#include "xddp/pipeline/stage.hpp"
#include "xddp/profile/backtrace.hpp"
#include "xddp/profile/class_profile.hpp"
#include "xddp/profile/profile.hpp"

namespace xddp {

// Whether a profile_stage keeps every input's own profile (per_input()) besides the class profile.
enum class input_profiles { discard, keep };

template <neuron_policy P>
class profile_stage {
public:
    static constexpr keep needs = keep::all;

    explicit profile_stage(profile_options options = {}, input_profiles inputs = input_profiles::discard)
        : options_(std::move(options)), keep_per_input_(inputs == input_profiles::keep) {
        // Fail at construction, before any forward pass is spent.
        detail::profiles::check_threshold(options_.threshold, "profile_stage");
    }

    // Called with each input's profile and index, in input order, as soon as its batch is done (e.g. to
    // write it).
    void on_profile(std::function<void(std::size_t, const profile&)> f) { on_profile_ = std::move(f); }

    // The index in the whole data set of the first input a run sees (a shard's offset; 0 by default).
    // The class profile depends on these indices, not on which process or run added an input.
    void first_input(std::size_t index) noexcept { first_input_ = index; }

    void start(const graph& g, std::size_t total) {
        graph_ = &g;
        layers_ = layer_groups(g);
        sum_.clear();
        class_ = profile{};
        per_input_.clear();
        if (keep_per_input_) per_input_.reserve(total);
    }

    void consume(const activations& acts, std::size_t first) {
        const std::size_t n = acts.output().shape()[0];
        std::vector<profile> batch(n);
        parallel_for(0, n, [&](std::size_t b) { batch[b] = contribution_profile<P>(*graph_, layers_, acts, b, options_); });
        for (std::size_t b = 0; b < n; ++b) {
            const std::size_t index = first_input_ + first + b;
            if (on_profile_) on_profile_(index, batch[b]);
            if (keep_per_input_) per_input_.push_back(batch[b]);
            sum_.add(index, std::move(batch[b]));
        }
    }

    void finish() { class_ = sum_.total(); }

    // The sum of every input's profile (num_inputs = number of inputs), once the run has finished.
    const profile& class_profile() const noexcept { return class_; }
    // The same sum as partial sums over aligned blocks of inputs, to merge with other shards' sums.
    const class_profile_sum& partial_sums() const noexcept { return sum_; }
    // Every input's own profile, in input order (empty unless built with input_profiles::keep).
    const std::vector<profile>& per_input() const noexcept { return per_input_; }
    const std::vector<layer_group>& layers() const noexcept { return layers_; }

private:
    profile_options options_;
    bool keep_per_input_;
    std::function<void(std::size_t, const profile&)> on_profile_;
    const graph* graph_ = nullptr;
    std::vector<layer_group> layers_;
    std::size_t first_input_ = 0;
    class_profile_sum sum_;
    profile class_;
    std::vector<profile> per_input_;
};

}  // namespace xddp
