#include "durable/client/batcher.hpp"

namespace durable {

Batcher::Batcher(bool json, std::size_t batch_max, std::size_t capacity)
  : m_json(json), m_batch_max(batch_max), m_capacity(capacity)
{
}

void Batcher::seal()
{
  if (m_building.messages == 0) {
    return;
  }
  if (m_json) {
    m_building.body += ']';
  }
  m_ready.push_back(std::move(m_building));
  m_building = Batch{};
}

bool Batcher::push(std::string_view message)
{
  std::unique_lock lock(m_mutex);
  // A message larger than the capacity still goes, alone, once the pile is empty.
  m_changed.wait(lock, [&] {
    return m_cancelled || m_bytes == 0 || m_bytes + message.size() <= m_capacity;
  });
  if (m_cancelled) {
    return false;
  }
  // What a message adds to a body: its bytes, and a JSON body's ',' or ']'.
  const std::size_t added = message.size() + (m_json ? 1 : 0);
  // A JSON body still lacks its closing ']'.
  if (m_building.messages > 0 && m_building.body.size() + added + (m_json ? 1 : 0) > m_batch_max) {
    seal();
  }
  if (m_building.messages == 0) {
    m_first_arrival = std::chrono::steady_clock::now();
    if (m_json) {
      m_building.body += '[';
    }
  } else if (m_json) {
    m_building.body += ',';
  }
  m_building.body.append(message);
  ++m_building.messages;
  m_bytes += added;
  m_changed.notify_all();
  return true;
}

void Batcher::finish()
{
  std::lock_guard lock(m_mutex);
  m_finished = true;
  m_changed.notify_all();
}

void Batcher::cancel()
{
  std::lock_guard lock(m_mutex);
  m_cancelled = true;
  m_changed.notify_all();
}

std::optional<Batcher::Batch> Batcher::take(std::chrono::milliseconds linger)
{
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [&] { return m_finished || !m_ready.empty() || m_building.messages > 0; });
  if (m_ready.empty() && m_building.messages > 0 && linger.count() > 0) {
    const auto until = m_first_arrival + linger;
    m_changed.wait_until(lock, until, [&] { return m_finished || !m_ready.empty(); });
  }
  if (m_ready.empty()) {
    seal();
  }
  if (m_ready.empty()) {
    return std::nullopt; // finished, nothing left
  }
  Batch batch = std::move(m_ready.front());
  m_ready.pop_front();
  m_bytes -= batch.body.size() - (m_json ? 1 : 0); // a JSON body's '[' was never counted
  batch.last = m_finished && m_ready.empty() && m_building.messages == 0;
  m_changed.notify_all();
  return batch;
}

} // namespace durable
