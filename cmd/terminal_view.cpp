#include "terminal_view.hpp"

#include "exit_codes.hpp"
#include "frame_clock.hpp"
#include "util/error.hpp"
#include "view/state_render.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace cmd {
namespace {

void write_all(int fd, std::string_view text)
{
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return; // the terminal is gone; there is nobody left to tell
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Keeps the pending changes of a burst bounded; past the bound, the whole state is marked.
void merge_changes(::json::Changes& into, const ::json::Changes& from)
{
  constexpr std::size_t k_max_changes = 4096;
  if (into.written.size() + from.written.size() > k_max_changes
      || into.removed_from.size() + from.removed_from.size() > k_max_changes) {
    into.written.assign(1, std::string());
    into.removed_from.clear();
    return;
  }
  into.written.insert(into.written.end(), from.written.begin(), from.written.end());
  into.removed_from.insert(into.removed_from.end(), from.removed_from.begin(),
                           from.removed_from.end());
}

} // namespace

TerminalView::TerminalView(Options options) : m_options(std::move(options))
{
  m_wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGTSTP, SIGWINCH}) {
    sigaddset(&signals, signal);
  }
  // Blocked here and so in the render thread, which inherits the mask and reads them from the
  // signalfd: SIGINT and SIGTERM leave the last frame on the normal screen before the process
  // ends, SIGTSTP (^Z) leaves the alternate screen before it stops, SIGWINCH redraws.
  ::pthread_sigmask(SIG_BLOCK, &signals, &m_old_mask);
  m_signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (m_wake_fd < 0 || m_signal_fd < 0) {
    ::pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
    throw util::Error(util::Errc::runtime, "cannot set up the view: " + std::string(std::strerror(errno)));
  }
  // The alternate screen: frames overwrite each other without scrolling; the cursor hides.
  write_all(m_options.fd, "\x1b[?1049h\x1b[?25l");
  m_thread = std::thread([this] { run(); });
}

TerminalView::~TerminalView()
{
  try {
    close();
  } catch (...) {
    // A destructor cannot report; close() is called explicitly on the normal path.
  }
}

void TerminalView::skipped(std::uint64_t count)
{
  std::lock_guard lock(m_mutex);
  m_skipped = count;
  m_dirty = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(m_wake_fd, &one, sizeof one);
}

void TerminalView::changed(const ::json::Value& state, const ::json::Changes& changes,
                        std::uint64_t event)
{
  m_state = &state;
  m_event = event;
  merge_changes(m_pending, changes);
  m_dirty = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(m_wake_fd, &one, sizeof one);
}

std::string TerminalView::frame_text(bool final_frame)
{
  // Called with m_mutex held.
  winsize size{};
  view::ScreenSize screen;
  if (::ioctl(m_options.fd, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0) {
    screen = {size.ws_row, size.ws_col};
  }
  const view::FrameHeader header{m_options.title, m_options.pointer, m_event, m_skipped};
  return view::render_frame(m_state, m_pending, header, screen, m_options.color, final_frame);
}

void TerminalView::draw(bool final_frame)
{
  std::string text;
  {
    std::lock_guard lock(m_mutex);
    text = frame_text(final_frame);
    m_pending = {};
    m_dirty = false;
  }
  // Synchronized update (terminals that know it show the frame at once; others ignore it),
  // home, the lines each ending with erase-to-end-of-line, then erase below.
  write_all(m_options.fd, "\x1b[?2026h\x1b[H" + text + "\x1b[K\x1b[J\x1b[?2026l");
  ++m_frames;
}

void TerminalView::run()
{
  try {
    FrameClock clock(m_options.frame);
    while (true) {
      bool dirty = false;
      {
        std::lock_guard lock(m_mutex);
        if (m_stop) {
          return;
        }
        dirty = m_dirty;
      }
      const auto now = FrameClock::Clock::now();
      if (dirty && clock.wait(now) == FrameClock::Clock::duration::zero()) {
        draw(false);
        clock.drew(now);
        continue;
      }
      int timeout = -1;
      if (dirty) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(clock.wait(now));
        timeout = static_cast<int>(std::max<std::int64_t>(wait.count(), 1));
      }
      pollfd fds[2] = {{m_wake_fd, POLLIN, 0}, {m_signal_fd, POLLIN, 0}};
      if (::poll(fds, 2, timeout) < 0 && errno != EINTR) {
        return;
      }
      if ((fds[1].revents & POLLIN) != 0) {
        signalfd_siginfo info{};
        while (::read(m_signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
          if (info.ssi_signo == SIGINT) {
            restore_terminal_and_exit(k_exit_interrupted);
          }
          if (info.ssi_signo == SIGTERM) {
            restore_terminal_and_exit(-SIGTERM);
          }
          if (info.ssi_signo == SIGTSTP) {
            suspend();
          }
          std::lock_guard lock(m_mutex);
          m_dirty = true; // draw again: at the new size (SIGWINCH), or after a suspension
        }
      }
      if ((fds[0].revents & POLLIN) != 0) {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto n = ::read(m_wake_fd, &count, sizeof count);
      }
    }
  } catch (...) {
    // Out of memory while rendering: stop drawing; the command itself goes on.
  }
}

void TerminalView::restore_terminal_and_exit(int code)
{
  std::string text;
  {
    std::lock_guard lock(m_mutex);
    text = frame_text(true);
  }
  write_all(m_options.fd, "\x1b[?1049l\x1b[?25h" + text + "\n");
  if (code < 0) {
    // Die of the signal, as if it had never been caught, so the parent sees what happened.
    const int signal = -code;
    ::signal(signal, SIG_DFL);
    sigset_t just;
    sigemptyset(&just);
    sigaddset(&just, signal);
    ::pthread_sigmask(SIG_UNBLOCK, &just, nullptr);
    ::raise(signal);
    code = 128 + signal;
  }
  ::_exit(code);
}

void TerminalView::suspend()
{
  // Back to the normal screen while stopped, so the shell's prompt is where it belongs.
  write_all(m_options.fd, "\x1b[?1049l\x1b[?25h");
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTSTP);
  ::pthread_sigmask(SIG_UNBLOCK, &stop, nullptr);
  ::raise(SIGTSTP); // stops the process here, until SIGCONT
  ::pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  write_all(m_options.fd, "\x1b[?1049h\x1b[?25l");
}

void TerminalView::close()
{
  if (m_closed) {
    return;
  }
  m_closed = true;
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(m_wake_fd, &one, sizeof one);
  if (m_thread.joinable()) {
    m_thread.join();
  }
  std::string text;
  {
    std::lock_guard lock(m_mutex);
    text = frame_text(true);
  }
  // Back to the normal screen, cursor shown, and the last frame left there.
  write_all(m_options.fd, "\x1b[?1049l\x1b[?25h" + text + "\n");
  ++m_frames;
  ::close(m_wake_fd);
  ::close(m_signal_fd);
  ::pthread_sigmask(SIG_SETMASK, &m_old_mask, nullptr);
}

} // namespace cmd
