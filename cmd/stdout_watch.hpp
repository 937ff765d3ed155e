#pragma once
// Notices that the reader of stdout has gone (`sse tail URL | head -1` on a quiet stream)
// without waiting for the next write to fail: a thread polls the pipe for POLLERR.

#include <atomic>
#include <functional>
#include <thread>

namespace cmd {

class StdoutWatch {
public:
  /// Calls ON_CLOSED (from the watching thread) once stdout's reader is gone. Does nothing
  /// when stdout is not a pipe or a socket, whose readers cannot go away.
  explicit StdoutWatch(std::function<void()> on_closed);
  ~StdoutWatch();
  StdoutWatch(const StdoutWatch&) = delete;
  StdoutWatch& operator=(const StdoutWatch&) = delete;

  bool closed() const { return m_closed.load(); }

private:
  std::function<void()> m_on_closed;
  std::atomic<bool> m_closed{false};
  int m_wake[2] = {-1, -1}; // a pipe that ends the watch when written to
  std::thread m_thread;
};

} // namespace cmd
