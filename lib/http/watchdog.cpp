#include "http/watchdog.hpp"

namespace http {

Watchdog::Watchdog(Transport& transport) : m_transport(transport), m_thread([this] { watch(); })
{
}

Watchdog::~Watchdog()
{
  {
    std::lock_guard lock(m_mutex);
    m_quit = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

void Watchdog::arm(Clock::time_point total, std::optional<std::chrono::milliseconds> idle)
{
  {
    std::lock_guard lock(m_mutex);
    m_armed = true;
    m_total = total;
    m_idle = idle;
    m_expired = Expiry::none;
    touch();
  }
  m_wake.notify_all();
}

Watchdog::Expiry Watchdog::disarm()
{
  std::lock_guard lock(m_mutex);
  m_armed = false;
  return m_expired;
}

void Watchdog::watch()
{
  std::unique_lock lock(m_mutex);
  while (!m_quit) {
    if (!m_armed) {
      m_wake.wait(lock);
      continue;
    }
    Clock::time_point deadline = m_total;
    Expiry kind = Expiry::total;
    if (m_idle) {
      const Clock::time_point idle_deadline =
        Clock::time_point(Clock::duration(m_last_activity.load())) + *m_idle;
      if (idle_deadline < deadline) {
        deadline = idle_deadline;
        kind = Expiry::idle;
      }
    }
    if (m_expired != Expiry::none) {
      // A cancel can fall between a connection's steps and be lost: repeat it until the
      // transfer has ended and disarm() is called.
      m_transport.cancel();
      m_wake.wait_for(lock, std::chrono::milliseconds(100));
      continue;
    }
    if (Clock::now() >= deadline) {
      m_expired = kind;
      continue;
    }
    // touch() only moves the idle deadline later, so waking at the old one and looking again
    // is enough; arm() and the destructor notify.
    m_wake.wait_until(lock, deadline);
  }
}

} // namespace http
