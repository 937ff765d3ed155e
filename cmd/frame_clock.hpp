#pragma once
// The timing of the state view's redraws, apart from the terminal so that tests can drive it.

#include <chrono>

namespace cmd {

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

} // namespace cmd
