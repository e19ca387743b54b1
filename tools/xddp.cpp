// xddp: profile deep networks from the command line. One subcommand per capability.

#include <iostream>

#include <CLI/CLI.hpp>
#include <xddp/core/error.hpp>
#include <xddp/version.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
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
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const xddp::error& e) {
        std::cerr << "xddp: error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "xddp: unexpected error: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
