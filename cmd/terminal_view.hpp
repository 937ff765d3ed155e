#pragma once
// The terminal side of `--view`: the alternate screen, signals, the render thread and the
// frame rate. What a frame shows is view::render_frame's (lib/view/state_render.hpp).

#include "json/patch.hpp"

#include "json/value_type.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <signal.h>
#include <string>
#include <thread>

namespace cmd {

/// The live view: the current state redrawn in place on a terminal, at most 60 times a second
/// (bursts of events coalesce into one frame), on the alternate screen so nothing flickers or
/// scrolls; at exit (the end of input, an error, SIGINT or SIGTERM) it returns to the normal
/// screen and leaves the last frame there; ^Z returns to the normal screen while stopped. A
/// render thread draws; SIGINT, SIGTERM, SIGTSTP and SIGWINCH are taken by it (construct the
/// view before starting other threads, which would otherwise receive them).
class TerminalView {
public:
  struct Options {
    int fd = 1;
    bool color = true;
    std::string title = "sse";   ///< shown in the header line
    std::string pointer;         ///< show only the value at this pointer
    std::chrono::nanoseconds frame = std::chrono::nanoseconds(1'000'000'000 / 60);
  };
  explicit TerminalView(Options options);
  ~TerminalView();
  TerminalView(const TerminalView&) = delete;
  TerminalView& operator=(const TerminalView&) = delete;

  /// The lock the caller holds while it changes the state the view shows.
  std::mutex& mutex() noexcept { return m_mutex; }
  /// After a change (with mutex() held): STATE is what to show (it must stay alive and change
  /// only under mutex()), CHANGES where it changed, EVENT the number of the event.
  void changed(const ::json::Value& state, const ::json::Changes& changes, std::uint64_t event);
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
  const ::json::Value* m_state = nullptr;
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

} // namespace cmd
