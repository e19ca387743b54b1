// xddp: profile deep networks from the command line. One subcommand per capability.
//
// Exit status (docs/errors.md): 0 success; 1 an error in the data, a file or the machine's resources
// (xddp::error); 2 a usage error (options, arguments); 3 an internal error (a bug: please report it).
// Every error is one line on stderr, cut to a readable length.

#include <csignal>
#include <cstring>
#include <iostream>
#include <new>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <xddp/core/error.hpp>
#include <xddp/version.hpp>

#include "commands.hpp"
#include "options.hpp"

namespace {

// One line of at most ~300 characters: a message quoting a huge input stays readable.
std::string one_line(std::string_view text) {
    std::string s = xddp::excerpt(text, 300);
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

int report(const char* kind, std::string_view what, int status) {
    std::cerr << "xddp: " << kind << ": " << one_line(what) << '\n';
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    // A file-size limit (ulimit -f) makes a write fail with EFBIG, reported as an error with status 1,
    // instead of killing the program with SIGXFSZ halfway through an output.
#ifdef SIGXFSZ
    std::signal(SIGXFSZ, SIG_IGN);
#endif
    CLI::App app{"xddp: contribution profiles, state-space efficiency, model metrics, pruning sensitivity and "
                 "pattern analysis of deep networks"};
    app.set_version_flag("--version", xddp::version_string);
    app.require_subcommand(1);
    xddp::tool::add_forward_command(app);
    xddp::tool::add_summary_command(app);
    xddp::tool::add_compare_models_command(app);
    xddp::tool::add_profile_command(app);
    xddp::tool::add_compare_command(app);
    xddp::tool::add_efficiency_command(app);
    xddp::tool::add_sensitivity_command(app);
    xddp::tool::add_patterns_command(app);
    xddp::tool::add_report_command(app);
    // An unknown first word is named, with the subcommands there are (CLI11 would say "A subcommand is
    // required").
    if (argc > 1 && argv[1][0] != '-') {
        std::string known;
        bool found = false;
        for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
            found = found || sub->get_name() == argv[1];
            known += (known.empty() ? "" : ", ") + sub->get_name();
        }
        if (!found)
            return report("usage error", "unknown subcommand '" + xddp::excerpt(argv[1], 40) + "'; expected one of " +
                                             known + " (xddp --help)",
                          2);
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --version
        return app.exit(e);
    } catch (const CLI::RuntimeError& e) {  // a distributed run's other ranks: rank 0 reported the failure
        return e.get_exit_code();
    } catch (const CLI::ParseError& e) {
        return report("usage error", std::string(e.what()) + " (xddp --help)", 2);
    } catch (const xddp::tool::usage_error& e) {
        return report("usage error", e.what(), 2);
    } catch (const xddp::error& e) {
        return report("error", e.what(), 1);
    } catch (const std::bad_alloc&) {
        return report("error", "out of memory; run smaller batches or inputs", 1);
    } catch (const std::exception& e) {
        return report("internal error", e.what(), 3);
    }
    return 0;
}
