#include "http/retry.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <ctime>
#include <string>

namespace http {

Backoff::Backoff(std::chrono::milliseconds retry, std::chrono::milliseconds cap, std::uint64_t seed)
  : m_retry(retry), m_cap(cap), m_random(seed)
{
}

std::chrono::milliseconds Backoff::delay(std::uint32_t attempt)
{
  using std::chrono::milliseconds;
  const std::int64_t base = std::max<std::int64_t>(m_retry.count(), 0);
  const std::int64_t cap = std::max<std::int64_t>(m_cap.count(), 0);
  std::int64_t ceiling = base;
  for (std::uint32_t i = 0; i < attempt && ceiling < cap; ++i) {
    ceiling = ceiling == 0 ? 1 : ceiling * 2;
  }
  ceiling = std::min(ceiling, cap);
  const std::int64_t floor = std::min(base, ceiling);
  std::uniform_int_distribution<std::int64_t> pick(floor, ceiling);
  return milliseconds(pick(m_random));
}

std::chrono::milliseconds Backoff::wait(std::uint32_t attempt,
                                        std::optional<std::chrono::milliseconds> retry_after)
{
  const std::chrono::milliseconds backoff = delay(attempt);
  if (!retry_after || *retry_after <= backoff) {
    return backoff;
  }
  return std::min(*retry_after, std::max(m_cap, std::chrono::milliseconds(0)));
}

std::optional<std::chrono::milliseconds> parse_retry_after(
  std::string_view value, std::chrono::system_clock::time_point now)
{
  value = util::trim_ows(value);
  if (value.empty()) {
    return std::nullopt;
  }
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) {
      return std::chrono::milliseconds(std::int64_t{999999999} * 1000);
    }
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  // IMF-fixdate, the form RFC 9110 requires senders to use: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') {
    return std::nullopt;
  }
  // Clamped to a year ahead: a date centuries away would overflow system_clock.
  const std::time_t seconds = std::min<std::time_t>(
    timegm(&tm), std::chrono::system_clock::to_time_t(now) + 365L * 24 * 3600);
  const auto when = std::chrono::system_clock::from_time_t(seconds);
  if (when <= now) {
    return std::chrono::milliseconds(0);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
}

std::optional<std::chrono::milliseconds> retry_after(const Headers& headers)
{
  const auto value = find_header(headers, "Retry-After");
  if (!value) {
    return std::nullopt;
  }
  return parse_retry_after(*value, std::chrono::system_clock::now());
}

InterruptibleWait::End InterruptibleWait::wait(std::chrono::milliseconds delay,
                                               Clock::time_point deadline)
{
  const Clock::time_point wake = Clock::now() + delay;
  std::unique_lock lock(m_mutex);
  m_interrupt.wait_until(lock, std::min(wake, deadline), [this] { return m_interrupted; });
  if (m_interrupted) {
    return End::interrupted;
  }
  return wake >= deadline ? End::deadline : End::elapsed;
}

void InterruptibleWait::interrupt()
{
  {
    std::lock_guard lock(m_mutex);
    m_interrupted = true;
  }
  m_interrupt.notify_all();
}

bool InterruptibleWait::interrupted() const
{
  std::lock_guard lock(m_mutex);
  return m_interrupted;
}

} // namespace http
