#pragma once
// The subcommands of the xddp program; each registers itself on the CLI11 app.

#include <CLI/CLI.hpp>

namespace xddp::tool {

void add_forward_command(CLI::App& app);

}  // namespace xddp::tool
