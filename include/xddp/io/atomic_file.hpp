#pragma once
// Atomic outputs: a file xddp writes appears whole or not at all. Its bytes go to a temporary file in the
// same folder, are flushed and checked, and only then is the temporary renamed onto the target, so a full
// disk, a file-size limit or an error halfway leaves any previous file at the target byte for byte as it
// was. An output_transaction does this for several files (a profile and its GraphML, a folder of per-input
// profiles): every file is written first and all are renamed at commit(); before that, nothing at any
// target has changed, and a transaction destroyed without commit() removes its temporaries and the
// folders it created.
//
//   xddp::io::output_transaction out;
//   out.write("profile.json", [&](std::ostream& os) { xddp::write_profile_json(os, p); });
//   out.write("profile.graphml", [&](std::ostream& os) { xddp::write_graphml(os, p); });
//   out.commit();
//
// An output must be a regular file or not exist yet: a directory or a device (/dev/full) at the target is
// an io_error before anything is written. A symbolic link at the target is followed (its file is replaced).

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#if __has_include(<unistd.h>)
#include <unistd.h>
#endif

#include "xddp/core/error.hpp"
#include "xddp/io/input_file.hpp"

namespace xddp::io {

namespace detail {

inline std::string errno_text(int e) { return e ? std::string(": ") + std::strerror(e) : std::string(); }

// A name for a temporary file beside target, unique within this process and, by its pid, across processes.
inline std::filesystem::path temporary_beside(const std::filesystem::path& target) {
    static std::atomic<unsigned long> counter{0};
#if __has_include(<unistd.h>)
    const long pid = static_cast<long>(::getpid());
#else
    const long pid = 0;
#endif
    std::filesystem::path folder = target.parent_path();
    const std::string name = "." + target.filename().string() + ".xddp-" + std::to_string(pid) + "-" +
                             std::to_string(counter.fetch_add(1)) + ".tmp";
    return folder.empty() ? std::filesystem::path(name) : folder / name;
}

// The file an output path finally names: a symbolic link is followed, so that the rename replaces the
// linked file and not the link.
inline std::filesystem::path resolved_output(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(path, ec))) {
        const fs::path target = fs::weakly_canonical(path, ec);
        if (!ec) return target;
    }
    return path;
}

}  // namespace detail

// Throws io_error unless path can be an output: it does not exist or is a regular file, and its folder exists.
inline void require_output_path(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.empty()) throw io_error("an output path is empty");
    const fs::file_status s = fs::status(path, ec);
    if (!ec && fs::exists(s) && !fs::is_regular_file(s))
        throw io_error("cannot write '" + path.string() + "': it is " + file_kind(s) + "; an output must be a regular file");
    const fs::path folder = path.parent_path();
    if (!folder.empty() && !fs::is_directory(folder, ec))
        throw io_error("cannot write '" + path.string() + "': the folder '" + folder.string() + "' does not exist");
}

class output_transaction {
public:
    output_transaction() = default;
    output_transaction(const output_transaction&) = delete;
    output_transaction& operator=(const output_transaction&) = delete;
    ~output_transaction() { rollback(); }

    // Writes what `write` puts on its stream to a temporary file beside path, now; path itself changes only
    // at commit(). An exception from `write`, or a stream that fails (a full disk, a file-size limit), is an
    // io_error naming path, and the temporary is removed.
    void write(const std::filesystem::path& path, const std::function<void(std::ostream&)>& writer) {
        namespace fs = std::filesystem;
        const fs::path target = detail::resolved_output(path);
        require_output_path(target);
        for (const auto& f : files_)
            if (f.target == target) throw value_error("output '" + path.string() + "' is written twice in one run");
        const fs::path temp = detail::temporary_beside(target);
        // Created exclusively ("x"): never someone else's file, even one that appeared since.
        errno = 0;
        std::FILE* created = std::fopen(temp.c_str(), "wbx");
        if (!created)
            throw io_error("cannot write '" + path.string() + "': cannot create a file in its folder" +
                           detail::errno_text(errno));
        std::fclose(created);
        files_.push_back({target, temp, path});
        try {
            std::error_code ec;
            const fs::file_status old = fs::status(target, ec);
            if (!ec && fs::is_regular_file(old)) fs::permissions(temp, old.permissions(), ec);  // keep the mode
            std::ofstream os(temp, std::ios::binary | std::ios::trunc);
            if (!os) throw io_error("cannot write '" + path.string() + "'" + detail::errno_text(errno));
            errno = 0;
            writer(os);
            os.flush();
            const int flush_errno = errno;
            if (!os) throw io_error("cannot write '" + path.string() + "'" + detail::errno_text(flush_errno));
            os.close();
            if (!os) throw io_error("cannot write '" + path.string() + "'" + detail::errno_text(errno));
        } catch (const xddp::error&) {
            discard_last();
            throw;
        } catch (const std::exception& e) {
            discard_last();
            throw io_error("cannot write '" + path.string() + "': " + e.what());
        } catch (...) {
            discard_last();
            throw;
        }
    }

    void write_text(const std::filesystem::path& path, const std::string& text) {
        write(path, [&](std::ostream& os) { os << text; });
    }

    // Creates folder and its missing parents now, for the files written into it; a folder it created is
    // removed again if the transaction is not committed and the folder is still empty.
    void create_directories(const std::filesystem::path& folder) {
        namespace fs = std::filesystem;
        std::error_code ec;
        std::vector<fs::path> missing;
        for (fs::path p = folder; !p.empty() && !fs::exists(fs::symlink_status(p, ec)); p = p.parent_path()) {
            missing.push_back(p);
            if (p == p.parent_path()) break;
        }
        const fs::file_status s = fs::status(folder, ec);
        if (missing.empty() && !fs::is_directory(s))
            throw io_error("cannot create the folder '" + folder.string() + "': it exists and is " + file_kind(s));
        for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
            if (!fs::create_directory(*it, ec) && ec)
                throw io_error("cannot create the folder '" + folder.string() + "': " + ec.message());
            created_.push_back(*it);
        }
    }

    // Renames every temporary onto its target, in the order written.
    void commit() {
        namespace fs = std::filesystem;
        for (std::size_t i = 0; i < files_.size(); ++i) {
            std::error_code ec;
            fs::rename(files_[i].temp, files_[i].target, ec);
            if (ec) {
                files_.erase(files_.begin(), files_.begin() + static_cast<std::ptrdiff_t>(i));
                created_.clear();  // some files are in place already; keep their folders
                throw io_error("cannot write '" + files_[0].shown.string() + "': " + ec.message());
            }
        }
        files_.clear();
        created_.clear();
    }

    // Removes the temporaries and the folders this transaction created (where empty); nothing at a target
    // changes. Called by the destructor.
    void rollback() noexcept {
        std::error_code ec;
        for (const auto& f : files_) std::filesystem::remove(f.temp, ec);
        files_.clear();
        for (auto it = created_.rbegin(); it != created_.rend(); ++it) std::filesystem::remove(*it, ec);
        created_.clear();
    }

    // Files written and not yet committed.
    std::size_t pending() const noexcept { return files_.size(); }

private:
    struct file {
        std::filesystem::path target, temp, shown;
    };

    void discard_last() noexcept {
        std::error_code ec;
        std::filesystem::remove(files_.back().temp, ec);
        files_.pop_back();
    }

    std::vector<file> files_;
    std::vector<std::filesystem::path> created_;
};

// One file written atomically: output_transaction with one write and its commit.
inline void write_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& writer) {
    output_transaction out;
    out.write(path, writer);
    out.commit();
}

// Refuses a run whose outputs name one of its own inputs (or one another) before anything runs: value_error
// naming both. Paths are compared as files (a link or another spelling of the same file counts), and an
// output inside an input folder (a weights folder) counts too.
inline void require_distinct_outputs(std::span<const std::filesystem::path> outputs,
                                     std::span<const std::filesystem::path> inputs) {
    namespace fs = std::filesystem;
    auto same = [](const fs::path& a, const fs::path& b) {
        std::error_code ec;
        if (fs::equivalent(a, b, ec) && !ec) return true;
        const fs::path ca = fs::weakly_canonical(a, ec);
        if (ec) return a.lexically_normal() == b.lexically_normal();
        const fs::path cb = fs::weakly_canonical(b, ec);
        return !ec && ca == cb;
    };
    auto inside = [](const fs::path& file, const fs::path& folder) {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) return false;
        const fs::path f = fs::weakly_canonical(file, ec);
        if (ec) return false;
        const fs::path d = fs::weakly_canonical(folder, ec);
        if (ec) return false;
        auto [end, it] = std::mismatch(d.begin(), d.end(), f.begin(), f.end());
        return end == d.end();
    };
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (outputs[i].empty()) continue;
        for (const fs::path& in : inputs)
            if (!in.empty() && (same(outputs[i], in) || inside(outputs[i], in)))
                throw value_error("output '" + outputs[i].string() + "' would overwrite the input '" + in.string() +
                                  "'; choose another output path");
        for (std::size_t j = 0; j < i; ++j)
            if (!outputs[j].empty() && same(outputs[i], outputs[j]))
                throw value_error("outputs '" + outputs[j].string() + "' and '" + outputs[i].string() +
                                  "' are the same file; choose different paths");
    }
}

}  // namespace xddp::io
