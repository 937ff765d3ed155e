#pragma once
// SIGINT and SIGTERM for the servers: they arrive on a descriptor the event loop watches, so
// shutdown runs on the loop thread like everything else.

#include "util/error.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace cmd {

/// Blocks SIGINT and SIGTERM (before any thread starts, so every thread inherits the mask) and
/// reads them from a signalfd.
class SignalWatch {
public:
  SignalWatch()
  {
    sigemptyset(&m_set);
    sigaddset(&m_set, SIGINT);
    sigaddset(&m_set, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &m_set, nullptr);
    m_fd = ::signalfd(-1, &m_set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (m_fd < 0) {
      throw util::Error(util::Errc::runtime, "signalfd failed");
    }
  }
  // The signals stay blocked: the process is about to exit, and a SIGTERM that arrived as
  // the loop stopped must not turn a clean exit into death by signal.
  ~SignalWatch() { ::close(m_fd); }
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;
  int fd() const { return m_fd; }
  /// The signal that arrived, or 0.
  int take() const
  {
    signalfd_siginfo info = {};
    return ::read(m_fd, &info, sizeof info) == sizeof info ? static_cast<int>(info.ssi_signo) : 0;
  }

private:
  sigset_t m_set{};
  int m_fd = -1;
};


} // namespace cmd
