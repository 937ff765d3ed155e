#pragma once
// Cancels a transfer from a second thread when a deadline passes: the total --timeout, or
// --idle-timeout after the last byte. A read that blocks cannot check the clock itself.

#include "http/transport.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace http {

class Watchdog {
public:
  using Clock = std::chrono::steady_clock;
  enum class Expiry { none, idle, total };

  explicit Watchdog(Transport& transport);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  /// Starts watching a transfer: cancel it at TOTAL or after IDLE without touch().
  void arm(Clock::time_point total, std::optional<std::chrono::milliseconds> idle);
  /// Bytes arrived: the idle deadline moves on. Cheap enough for every chunk.
  void touch() { m_last_activity.store(Clock::now().time_since_epoch().count()); }
  /// Stops watching; returns what expired while armed, if anything.
  Expiry disarm();

private:
  void watch();

  Transport& m_transport;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_quit = false;
  bool m_armed = false;
  Clock::time_point m_total;
  std::optional<std::chrono::milliseconds> m_idle;
  Expiry m_expired = Expiry::none;
  std::atomic<Clock::rep> m_last_activity{0};
  std::thread m_thread;
};

} // namespace http
