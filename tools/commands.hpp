#pragma once
// The subcommands of the xddp program; each registers itself on the CLI11 app.

#include <CLI/CLI.hpp>

namespace xddp::tool {

void add_forward_command(CLI::App& app);
void add_profile_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_efficiency_command(CLI::App& app);
void add_sensitivity_command(CLI::App& app);
void add_summary_command(CLI::App& app);
void add_compare_models_command(CLI::App& app);
void add_patterns_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace xddp::tool
