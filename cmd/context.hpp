#pragma once
// What the global options set, and the action the chosen subcommand left to run after parsing.

#include <functional>
#include <string>

namespace cmd {

struct Context {
  int verbosity = 0;           ///< -v, repeatable
  std::string color = "auto";  ///< --color auto|always|never
  /// Set by the chosen subcommand's callback; main runs it only once parsing succeeded, so a
  /// usage error (exit 2) can never come from half-done work.
  std::function<int()> run;
};

} // namespace cmd
