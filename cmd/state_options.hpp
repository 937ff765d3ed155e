#pragma once
// The options of state mode (DESIGN.md §6), declared once for every command that folds events
// into a state: `sse patch`, `sse tail --apply`, `sse replay --apply`.

#include "state/reducer.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace cmd {

/// The options of state mode, bound by add_state_options.
struct StateOptions {
  std::string apply = "auto";  ///< --apply[=MODE] as given: auto, custom, keyed or durable
  state::Mode mode = state::Mode::detect; ///< what --apply names, set by check_state_options
  std::string key;             ///< --key PATH: keyed collection, item keys at PATH
  std::string initial;         ///< --initial FILE: the starting state (JSON)
  std::string pointer;         ///< --pointer P: print only the value at P
  bool final_only = false;     ///< --final
  bool changes_only = false;   ///< --changes
  bool keep_going = false;     ///< --keep-going
  bool view = false;           ///< --view
  std::uint64_t max_state = state::k_default_max_state; ///< --max-state SIZE
};

/// Adds the state options to SUB. --apply takes its MODE only as --apply=MODE, so that a plain
/// --apply (detect the mode) never swallows the next argument. Returns the --apply option, so
/// a command where --apply switches state mode on can ask whether it was given (->count()).
CLI::Option* add_state_options(CLI::App& sub, StateOptions& options);

/// Checks what add_state_options cannot and sets OPTIONS.mode from --apply (call it from the
/// subcommand's callback, so that the run reads the mode and no option text); throws
/// CLI::ValidationError, which main turns into a usage error.
void check_state_options(StateOptions& options);

/// The JSON pointer PATH names for --key: a pointer as it is, or a bare NAME as "/NAME".
std::string key_pointer(const std::string& path);

} // namespace cmd
