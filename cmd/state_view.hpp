#pragma once
// Printing stream state (DESIGN.md §6), shared by every command that folds events into a state:
// `sse patch` now, `sse tail --apply` and `sse replay --apply` later. A StateSession owns the
// state::Reducer and prints the state after each event, as NDJSON or, with --view on a
// terminal, as a live view that redraws in place (StateView).
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

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <signal.h>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cmd {

/// The options of state mode, bound by add_state_options.
struct StateOptions {
  std::string apply = "auto";  ///< --apply[=MODE]: auto, custom, keyed or durable
  std::string key;             ///< --key PATH: keyed collection, item keys at PATH
  std::string initial;         ///< --initial FILE: the starting state (JSON)
  std::string pointer;         ///< --pointer P: print only the value at P
  bool final_only = false;     ///< --final
  bool changes_only = false;   ///< --changes
  bool keep_going = false;     ///< --keep-going
  bool view = false;           ///< --view
  std::string max_state = "256MiB"; ///< --max-state SIZE: the largest the state may grow
};

/// Adds the state options to SUB. --apply takes its MODE only as --apply=MODE, so that a plain
/// --apply (detect the mode) never swallows the next argument. Returns the --apply option, so
/// a command where --apply switches state mode on can ask whether it was given (->count()).
CLI::Option* add_state_options(CLI::App& sub, StateOptions& options);

/// Checks what add_state_options cannot (call it from the subcommand's callback); throws
/// CLI::ValidationError, which main turns into a usage error.
void check_state_options(const StateOptions& options);

/// The JSON pointer PATH names for --key: a pointer as it is, or a bare NAME as "/NAME".
std::string key_pointer(const std::string& path);

/// Limits redraws to one per interval (60 per second for the view). Pure, for tests.
class FrameClock {
public:
  using Clock = std::chrono::steady_clock;
  explicit FrameClock(Clock::duration interval) : m_interval(interval) {}
  /// How long to wait at NOW before a frame may be drawn; zero when it may be drawn now.
  Clock::duration wait(Clock::time_point now) const
  {
    if (!m_drawn || now >= m_last + m_interval) {
      return Clock::duration::zero();
    }
    return m_last + m_interval - now;
  }
  void drew(Clock::time_point now)
  {
    m_last = now;
    m_drawn = true;
  }

private:
  Clock::duration m_interval;
  Clock::time_point m_last{};
  bool m_drawn = false;
};

/// One line of a rendered state: the text, its styling, and the pointer it shows.
struct ViewLine {
  std::string text;      ///< with ANSI styles when colour is on
  std::size_t columns;   ///< display width of the text without styles
};

/// Renders STATE pretty-printed (two-space indent, keys in order), at most MAX_LINES lines of
/// at most WIDTH columns; lines showing a location in CHANGES are highlighted (colour: a
/// yellow background; without colour: reverse video). Strings are shown with control
/// characters escaped, so data cannot drive the terminal. Returns the lines and, in TOTAL,
/// how many lines the whole state has.
std::vector<ViewLine> render_state(const nlohmann::json& state, const ::json::Changes& changes,
                                   bool color, std::size_t width, std::size_t max_lines,
                                   std::size_t& total);

/// The live view: the current state redrawn in place on a terminal, at most 60 times a second
/// (bursts of events coalesce into one frame), on the alternate screen so nothing flickers or
/// scrolls; at exit (the end of input, an error, SIGINT or SIGTERM) it returns to the normal
/// screen and leaves the last frame there; ^Z returns to the normal screen while stopped. A
/// render thread draws; SIGINT, SIGTERM, SIGTSTP and SIGWINCH are taken by it (construct the
/// view before starting other threads, which would otherwise receive them).
class StateView {
public:
  struct Options {
    int fd = 1;
    bool color = true;
    std::string title = "sse";   ///< shown in the header line
    std::string pointer;         ///< show only the value at this pointer
    std::chrono::nanoseconds frame = std::chrono::nanoseconds(1'000'000'000 / 60);
  };
  explicit StateView(Options options);
  ~StateView();
  StateView(const StateView&) = delete;
  StateView& operator=(const StateView&) = delete;

  /// The lock the caller holds while it changes the state the view shows.
  std::mutex& mutex() noexcept { return m_mutex; }
  /// After a change (with mutex() held): STATE is what to show (it must stay alive and change
  /// only under mutex()), CHANGES where it changed, EVENT the number of the event.
  void changed(const nlohmann::json& state, const ::json::Changes& changes, std::uint64_t event);
  /// How many events were skipped (--keep-going), for the header.
  void skipped(std::uint64_t count);
  /// Draws the last state once more, leaves the alternate screen and prints that frame on
  /// the normal screen. Called by the destructor too.
  void close();
  /// Frames drawn so far (for -v and the tests).
  std::uint64_t frames() const noexcept { return m_frames; }

private:
  void run();
  std::string frame_text(bool final_frame);
  void draw(bool final_frame);
  /// Leaves the last frame on the normal screen and ends the process: exit CODE, or for a
  /// negative CODE death by signal -CODE.
  [[noreturn]] void restore_terminal_and_exit(int code);
  void suspend();

  Options m_options;
  std::mutex m_mutex;
  const nlohmann::json* m_state = nullptr;
  ::json::Changes m_pending;     // changes since the last frame
  std::uint64_t m_event = 0;
  std::uint64_t m_skipped = 0;
  bool m_dirty = false;
  bool m_stop = false;
  bool m_closed = false;
  std::atomic<std::uint64_t> m_frames{0};
  int m_wake_fd = -1;   // eventfd: a change or stop is pending
  int m_signal_fd = -1; // signalfd: SIGINT, SIGTERM, SIGTSTP, SIGWINCH
  sigset_t m_old_mask{};
  std::thread m_thread;
};

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
  const nlohmann::json& shown() const;

  const StateOptions& m_options;
  const Context& m_context;
  Writer& m_out;
  std::unique_ptr<state::Reducer> m_reducer;
  std::unique_ptr<StateView> m_view;
  std::string m_last;      // --changes: the last value printed
  std::vector<std::string> m_warnings; // held while the view is on screen
  bool m_view_closed = false;
  std::uint64_t m_events = 0;
  std::uint64_t m_skipped = 0;
};

} // namespace cmd
