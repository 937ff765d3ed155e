#pragma once
// The one retry primitive of every retry loop (tail, durable reads, the durable client): how
// long to wait (the server's retry: value as the floor, exponential growth with jitter above
// it, a cap, and Retry-After as a floor under that cap), and the wait itself, which another
// thread can end at once.

#include "http/transport.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

namespace http {

class Backoff {
public:
  Backoff(std::chrono::milliseconds retry, std::chrono::milliseconds cap, std::uint64_t seed);

  /// The server's reconnection time (retry: field); the wait never goes below it, cap aside.
  void set_retry(std::chrono::milliseconds retry) { m_retry = retry; }
  std::chrono::milliseconds retry() const { return m_retry; }

  /// The wait before reconnect attempt ATTEMPT (0 after the first failure or a clean end):
  /// ceiling = min(cap, retry * 2^attempt); a uniformly random wait in [min(retry, ceiling),
  /// ceiling]. Attempt 0 therefore waits exactly the server's retry, as a browser does, and
  /// repeated failures spread out so that clients do not return all at once.
  std::chrono::milliseconds delay(std::uint32_t attempt);

  /// The wait before retry ATTEMPT after a reply that may carry Retry-After: delay(ATTEMPT),
  /// at least RETRY_AFTER, and never more than the cap, so that a server cannot park the
  /// client for years. Every retry loop waits this long.
  std::chrono::milliseconds wait(std::uint32_t attempt,
                                 std::optional<std::chrono::milliseconds> retry_after);

private:
  std::chrono::milliseconds m_retry;
  std::chrono::milliseconds m_cap;
  std::mt19937_64 m_random;
};

/// A Retry-After header value: delay-seconds, or an HTTP-date relative to NOW. Empty when it
/// is neither; a date in the past is zero.
std::optional<std::chrono::milliseconds> parse_retry_after(
  std::string_view value, std::chrono::system_clock::time_point now);

/// The Retry-After of a reply's HEADERS, relative to now (see parse_retry_after).
std::optional<std::chrono::milliseconds> retry_after(const Headers& headers);

/// The wait between two attempts. interrupt() from another thread (a closed stdout, a signal
/// watcher) ends it at once: a condition variable, not a sleep, so that a minute's Retry-After
/// does not hold up a command that was asked to stop.
class InterruptibleWait {
public:
  using Clock = std::chrono::steady_clock;
  enum class End {
    elapsed,     ///< the whole delay passed
    deadline,    ///< the deadline came first: the caller's --timeout is over
    interrupted, ///< interrupt() was called, now or before
  };

  /// Waits DELAY, or until DEADLINE when that is sooner, or until interrupt().
  End wait(std::chrono::milliseconds delay, Clock::time_point deadline = Clock::time_point::max());
  /// Ends the current wait and every later one; thread-safe.
  void interrupt();
  bool interrupted() const;

private:
  mutable std::mutex m_mutex;
  std::condition_variable m_interrupt;
  bool m_interrupted = false;
};

} // namespace http
