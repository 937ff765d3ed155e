#include "durable/server/sse_reader.hpp"

#include <algorithm>

namespace durable {
namespace {

/// The cursor interval at NOW_MS (see next_cursor).
std::int64_t cursor_interval(std::int64_t now_ms)
{
  return std::stoll(next_cursor(now_ms, std::nullopt));
}

/// An SSE control event at OFFSET of STREAM with CURSOR (none once the stream is over).
std::string control_event(const Server::Stream& stream, std::uint64_t offset, std::int64_t cursor)
{
  const bool done = stream.meta.closed && offset >= stream.meta.tail;
  std::string json = std::string("{\"") + sse_field::k_next_offset + "\":\"" + format_offset(offset) + "\"";
  if (!done) {
    json += std::string(",\"") + sse_field::k_cursor + "\":\"" + std::to_string(cursor) + "\"";
  }
  if (offset >= stream.meta.tail) {
    json += std::string(",\"") + sse_field::k_up_to_date + "\":true";
  }
  if (done) {
    json += std::string(",\"") + sse_field::k_closed + "\":true";
  }
  json += "}";
  return sse_event(sse_field::k_control_event, json);
}

} // namespace

std::int64_t SseCache::interval()
{
  if (!now_interval) {
    now_interval = cursor_interval(now_ms());
  }
  return *now_interval;
}

Server::SseReader::SseReader(Server& server, std::string name,
                             std::shared_ptr<net::Connection> connection, std::uint64_t offset,
                             std::optional<std::string> cursor, bool base64)
  : m_server(server), m_name(std::move(name)), m_connection(std::move(connection)),
    m_offset(offset), m_cursor(std::stoll(next_cursor(now_ms(), cursor))), m_base64(base64)
{
}

Server::SseReader::~SseReader()
{
  m_server.m_loop.cancel(m_timer);
}

bool Server::SseReader::pump(SseCache* cache)
{
  if (!open()) {
    return false;
  }
  Stream* stream = nullptr;
  if (m_server.find(m_name, stream, false) != Found::ok) {
    m_connection->end_stream();
    return false;
  }
  while (m_offset < stream->meta.tail) {
    if (m_connection->queued_bytes() > k_sse_queue_limit) {
      arm(std::chrono::milliseconds(10)); // a slow reader: go on once it has taken some
      return true;
    }
    if (cache == nullptr) {
      std::uint64_t next = 0;
      const auto data = data_event(*stream, next);
      if (data.empty()) {
        break;
      }
      m_connection->write(data);
      m_offset = next;
      control(*stream, nullptr);
      continue;
    }
    // Readers at one offset with one cursor get the same data and control events: made
    // once per wake-up, and written as one piece.
    m_cursor = std::max(m_cursor, cache->interval());
    auto event = cache->events.find({m_offset, m_cursor});
    if (event == cache->events.end()) {
      auto data = cache->data.find(m_offset);
      if (data == cache->data.end()) {
        std::uint64_t next = 0;
        std::string bytes = data_event(*stream, next);
        if (bytes.empty()) {
          break;
        }
        data = cache->data.emplace(m_offset, std::make_pair(std::move(bytes), next)).first;
      }
      const std::uint64_t next = data->second.second;
      event = cache->events
                .emplace(std::make_pair(m_offset, m_cursor),
                         std::make_pair(net::make_shared_chunk(
                                          data->second.first +
                                          control_event(*stream, next, m_cursor)),
                                        next))
                .first;
    }
    m_connection->write(event->second.first);
    m_offset = event->second.second;
    m_sent_control = true;
    m_sent_final = stream->meta.closed && m_offset >= stream->meta.tail;
    m_last_sent = m_server.m_loop.now();
  }
  if (stream->meta.closed && m_offset >= stream->meta.tail) {
    if (!m_sent_final) {
      control(*stream, cache);
    }
    m_connection->end_stream();
    return false;
  }
  if (!m_sent_control) {
    control(*stream, cache);
  }
  if (m_timer == 0) {
    arm(m_server.m_options.long_poll_timeout);
  }
  return true;
}

void Server::SseReader::end()
{
  if (open()) {
    m_connection->end_stream();
  }
}

std::string Server::SseReader::data_event(const Stream& stream, std::uint64_t& next)
{
  const auto records = m_server.collect(m_name, m_offset, k_read_chunk);
  if (records.empty()) {
    return {};
  }
  const std::string payload = join_records(records, stream.json());
  next = records.back().position + records.back().bytes.size();
  return sse_event(sse_field::k_data_event, m_base64 ? base64(payload) : payload);
}

void Server::SseReader::control(const Stream& stream, SseCache* cache)
{
  // The client's cursor got its jitter at connect; from then on it only keeps up with time.
  const std::int64_t now_interval =
    cache != nullptr ? cache->interval() : cursor_interval(now_ms());
  m_cursor = std::max(m_cursor, now_interval);
  if (cache == nullptr) {
    m_connection->write(control_event(stream, m_offset, m_cursor));
  } else {
    // Readers at one offset with one cursor send the same bytes: made once per wake-up.
    auto& chunk = cache->control[{m_offset, m_cursor}];
    if (!chunk) {
      chunk = net::make_shared_chunk(control_event(stream, m_offset, m_cursor));
    }
    m_connection->write(chunk);
  }
  m_sent_control = true;
  m_sent_final = stream.meta.closed && m_offset >= stream.meta.tail;
  m_last_sent = m_server.m_loop.now();
}

void Server::SseReader::arm(std::chrono::milliseconds delay)
{
  m_server.m_loop.cancel(m_timer);
  std::weak_ptr<SseReader> weak = weak_from_this();
  m_timer = m_server.m_loop.after(delay, [weak]() {
    if (const auto self = weak.lock()) {
      self->m_timer = 0;
      // A heartbeat (the same offset, the cursor of now) once the reader has been quiet for
      // a whole timeout; the timer is moved on rather than reset on every event.
      const auto quiet = self->m_server.m_loop.now() - self->m_last_sent;
      if (quiet >= self->m_server.m_options.long_poll_timeout) {
        self->m_sent_control = false;
      }
      self->pump();
    }
  });
}

} // namespace durable
