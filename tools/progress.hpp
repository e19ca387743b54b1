#pragma once
// Progress of a long run on stderr: a bar with the current stage and an estimate of the time left.
// The run is a list of stages with a weight each (their share of the expected time); a stage reports its
// own fraction done. The estimate is the elapsed time scaled by the weighted fraction done. On a terminal
// the bar redraws in place (at most 10 times a second); into a file or pipe, one line per stage.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "table.hpp"

namespace xddp::tool {

class progress_bar {
public:
    struct stage {
        std::string name;
        double weight = 1;
    };

    explicit progress_bar(std::vector<stage> stages)
        : stages_(std::move(stages)), start_(clock::now()), terminal_(isatty(STDERR_FILENO) != 0) {
        for (const auto& s : stages_) total_ += s.weight;
    }

    // Starts stage `name` (one of the list; stages may be skipped).
    void begin(const std::string& name) {
        finish_stage();
        for (std::size_t k = 0; k < stages_.size(); ++k)
            if (stages_[k].name == name) current_ = k;
        fraction_ = 0;
        detail_.clear();
        if (!terminal_) std::cerr << "[" << percent() << "%] " << name << " ..." << std::endl;
        draw(true);
    }

    // The current stage is `fraction` done; `detail` says what it works on now.
    void update(double fraction, const std::string& detail = "") {
        fraction_ = std::clamp(fraction, 0.0, 1.0);
        detail_ = detail;
        draw(false);
    }

    // Ends the bar (a newline on a terminal) and says how long the run took.
    void done() {
        finish_stage();
        fraction_ = 0;
        current_ = stages_.size();
        if (terminal_) {
            draw(true);
            std::cerr << '\n';
        }
        std::cerr << "done in " << clock_text(elapsed()) << std::endl;
    }

private:
    using clock = std::chrono::steady_clock;

    void finish_stage() {
        if (current_ < stages_.size()) done_weight_ += stages_[current_].weight;
        current_ = stages_.size();
    }
    double done_share() const {
        const double w = done_weight_ + (current_ < stages_.size() ? stages_[current_].weight * fraction_ : 0.0);
        return total_ > 0 ? std::clamp(w / total_, 0.0, 1.0) : 1.0;
    }
    std::string percent() const { return std::to_string(static_cast<int>(100 * done_share())); }
    double elapsed() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

    static std::string clock_text(double seconds) {
        const long s = static_cast<long>(seconds + 0.5);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
        return buf;
    }

    void draw(bool force) {
        if (!terminal_) return;
        const auto now = clock::now();
        if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        const double share = done_share();
        const int width = 28, filled = static_cast<int>(share * width);
        std::string line = "\r[" + std::string(filled, '#') + std::string(width - filled, '.') + "] " + percent() + "% ";
        line += current_ < stages_.size() ? stages_[current_].name : "finished";
        if (!detail_.empty()) line += ": " + detail_;
        const double t = elapsed();
        if (share > 0.02 && share < 1) line += "  ~" + clock_text(t / share - t) + " left";
        if (line.size() > 110) line.resize(110);
        std::cerr << line << std::string(line.size() < last_width_ ? last_width_ - line.size() : 0, ' ') << std::flush;
        last_width_ = line.size();
    }

    std::vector<stage> stages_;
    double total_ = 0, done_weight_ = 0, fraction_ = 0;
    std::size_t current_ = static_cast<std::size_t>(-1);
    std::string detail_;
    clock::time_point start_, last_draw_{};
    bool terminal_;
    std::size_t last_width_ = 0;
};

}  // namespace xddp::tool
