#include "state_options.hpp"

#include "typed_options.hpp"
#include "json/pointer.hpp"
#include "util/error.hpp"

namespace cmd {

CLI::Option* add_state_options(CLI::App& sub, StateOptions& options)
{
  auto* apply = sub.add_flag("--apply", options.apply,
                             "State mode: detect it, or force it with =auto, =custom, =keyed "
                             "or =durable");
  apply->option_text("[=MODE]");
  sub.add_option("--key", options.key,
                 "Keyed collection: each item's key is at this JSON pointer (or name)")
    ->option_text("PATH");
  sub.add_option("--initial", options.initial, "Start from the JSON state in this file")
    ->option_text("FILE");
  sub.add_option("--pointer", options.pointer, "Print only the value at this JSON pointer")
    ->option_text("POINTER");
  sub.add_flag("--final", options.final_only, "Print only the state after the last event");
  sub.add_flag("--changes", options.changes_only, "Print the state only when it changed");
  sub.add_flag("--keep-going", options.keep_going,
               "Warn about a failed event, skip it and go on");
  add_size_option(sub, "--max-state", options.max_state,
                  "Refuse an event that could grow the state past SIZE as compact JSON");
  sub.add_flag("--view", options.view,
               "On a terminal, redraw the state in place (NDJSON when piped)");
  return apply;
}

void check_state_options(StateOptions& options)
{
  try {
    // A plain --apply leaves "true" (CLI11's value for a flag given without =MODE).
    options.mode = state::mode_from_name(options.apply == "true" ? "auto" : options.apply);
  } catch (const util::Error&) {
    throw CLI::ValidationError("--apply", "'" + options.apply + "' is not a state mode (auto, "
                                          "custom, keyed or durable)");
  }
  if (!options.key.empty() && options.mode != state::Mode::detect && options.mode != state::Mode::keyed) {
    throw CLI::ValidationError("--key", "only a keyed collection has keys (--apply=keyed)");
  }
  if (auto problem = ::json::pointer_problem(key_pointer(options.key)); !problem.empty()) {
    throw CLI::ValidationError("--key", "'" + options.key + "': " + problem);
  }
  if (auto problem = ::json::pointer_problem(options.pointer); !problem.empty()) {
    throw CLI::ValidationError("--pointer", "'" + options.pointer + "': " + problem);
  }
  if (options.final_only && options.changes_only) {
    throw CLI::ValidationError("--final", "cannot be combined with --changes");
  }
}

std::string key_pointer(const std::string& path)
{
  if (path.empty()) {
    return "/id";
  }
  if (path.front() == '/') {
    return path;
  }
  std::string pointer;
  ::json::append_token(pointer, path);
  return pointer;
}

} // namespace cmd
