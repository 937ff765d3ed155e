#pragma once
// Printing stream state (DESIGN.md §6), shared by every command that folds events into a state:
// `sse patch`, `sse tail --apply` and `sse replay --apply`. A StateSession owns the
// state::Reducer and prints the state after each event, as NDJSON or, with --view on a
// terminal, as a live view that redraws in place (TerminalView).
//
// How a command uses it (tail does the same around its HTTP reader):
//   StateOptions options;                        // bound in register_X:
//   add_state_options(*sub, options);            //   --apply[=MODE] --key --initial --pointer
//                                                //   --final --changes --keep-going --view
//   check_state_options(options);                // in the subcommand's callback
//   Writer out;
//   StateSession session(options, context, out, "sse tail URL");
//   for each event:  session.on_event(type, {data}, url);      // or (.., file, line)
//   before each blocking read:  session.flush();
//   at a clean end of the input:  session.finish();

#include "context.hpp"
#include "io.hpp"
#include "state/reducer.hpp"
#include "state_options.hpp"

#include "json/value_type.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cmd {

class TerminalView;

/// Folds events into state and prints the state after each one (see the top of this file).
class StateSession {
public:
  /// TITLE names the command in the view's header. Throws util::Error: runtime when --initial
  /// cannot be read, bad_input when it is not JSON or does not suit the mode.
  StateSession(const StateOptions& options, const Context& context, Writer& out,
               std::string title);
  ~StateSession();

  /// Applies one event of type TYPE with DATA. SOURCE (a file, a URL) and LINE (0 for none)
  /// name it in messages, followed by the event's number: "events.ndjson:7, event 7". Returns
  /// what the event was (a reconnect is for the caller to act on). A failed event throws
  /// util::Error(bad_input), or with --keep-going warns on stderr and is skipped; an `error`
  /// event always throws.
  state::Outcome::Kind on_event(std::string_view type, state::Payload data,
                                std::string_view source, std::uint64_t line = 0);
  /// Writes pending output; call it before every blocking read.
  void flush();
  /// The input ended cleanly: --final prints the state now; the view is left on screen.
  void finish();

  std::uint64_t events() const noexcept { return m_events; }
  std::uint64_t skipped() const noexcept { return m_skipped; }
  const state::Reducer& reducer() const noexcept { return *m_reducer; }

private:
  void print_state();
  void close_view();
  const ::json::Value& shown() const;

  const StateOptions& m_options;
  const Context& m_context;
  Writer& m_out;
  std::unique_ptr<state::Reducer> m_reducer;
  std::unique_ptr<TerminalView> m_view;
  std::string m_last;      // --changes: the last value printed
  std::vector<std::string> m_warnings; // held while the view is on screen
  bool m_view_closed = false;
  std::uint64_t m_events = 0;
  std::uint64_t m_skipped = 0;
};

} // namespace cmd
