#pragma once
// What the files of the Durable Streams server share (not part of the library's interface):
// the response helpers and the in-memory state of a stream.

#include "durable/protocol/headers.hpp"
#include "durable/protocol/offset.hpp"
#include "durable/protocol/rules.hpp"
#include "durable/server/server.hpp"
#include "net/query_string.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace durable {

inline constexpr std::size_t k_read_chunk = 1024 * 1024;
/// A catch-up answer bigger than k_read_chunk is written in pieces of about this size, while
/// less than k_catchup_queue is queued on its connection: its memory stays bounded.
inline constexpr std::size_t k_catchup_piece = 256 * 1024;
inline constexpr std::size_t k_catchup_queue = 1024 * 1024;
inline constexpr std::size_t k_sse_queue_limit = 1024 * 1024;
inline constexpr const char* k_default_type = "application/octet-stream";
/// The response headers of the protocol that a page may read.
inline const std::string k_expose =
  std::string(header::k_next_offset) + ", " + header::k_cursor + ", " + header::k_up_to_date + ", "
  + header::k_closed + ", " + header::k_ttl + ", " + header::k_expires_at + ", "
  + header::k_sse_data_encoding + ", ETag, Location, " + header::k_producer_epoch + ", "
  + header::k_producer_seq + ", " + header::k_producer_expected_seq + ", "
  + header::k_producer_received_seq;

inline std::int64_t now_ms()
{
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

/// Records as a response body: concatenated, or for JSON one array of the messages.
inline std::string join_records(const std::vector<store::Record>& records, bool json)
{
  std::string body;
  std::size_t size = 2;
  for (const auto& record : records) {
    size += record.bytes.size() + 1;
  }
  body.reserve(size);
  if (json) {
    body += '[';
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (json && i > 0) {
      body += ',';
    }
    body += records[i].bytes;
  }
  if (json) {
    body += ']';
  }
  return body;
}

inline std::string etag(const std::string& name, std::uint64_t start, std::uint64_t end, bool closed)
{
  return "\"" + std::to_string(std::hash<std::string>{}(name)) + ":" + std::to_string(start) +
         ":" + std::to_string(end) + (closed ? ":c" : "") + "\"";
}

/// The stream name in PATH under PREFIX, decoded; nullopt when it is not one, or could escape.
inline std::optional<std::string> stream_name(const std::string& path, const std::string& prefix)
{
  if (path.rfind(prefix, 0) != 0) {
    return std::nullopt;
  }
  const std::string_view raw = std::string_view(path).substr(prefix.size());
  if (raw.empty() || raw.size() > 1024) {
    return std::nullopt;
  }
  // An encoded slash would let two different paths name one stream.
  if (raw.find("%2F") != std::string_view::npos || raw.find("%2f") != std::string_view::npos) {
    return std::nullopt;
  }
  auto name = net::percent_decode(raw);
  if (!name || name->find('\0') != std::string::npos) {
    return std::nullopt;
  }
  std::string_view rest = *name;
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") {
      return std::nullopt;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(slash + 1);
  }
  return name;
}

/// Every value of query parameter NAME, a malformed one as a value no parameter accepts.
inline std::vector<std::string> query_values(const std::string& query, std::string_view name)
{
  std::vector<std::string> values;
  for (auto& value : net::query_values(query, name)) {
    values.push_back(value ? std::move(*value) : std::string("\x01"));
  }
  return values;
}

struct Producer {
  std::string id;
  std::uint64_t epoch = 0;
  std::uint64_t seq = 0;
  std::string tuple() const { return id + " " + std::to_string(epoch) + " " + std::to_string(seq); }
};


// ---------------------------------------------------------------------------------------------

struct Server::Write {
  net::HttpRequest request;
  std::shared_ptr<net::Connection> connection;
};

struct Server::Waiter {
  std::shared_ptr<net::Connection> connection;
  std::uint64_t offset = 0;
  std::optional<std::string> cursor;
  net::EventLoop::TimerId timer = 0;
};

struct Server::Stream {
  store::StreamMeta meta;
  std::int64_t last_access_ms = 0;
  bool writing = false;
  std::deque<Write> queue;
  std::vector<std::shared_ptr<Waiter>> waiters;
  std::vector<std::shared_ptr<SseReader>> readers;
  /// Expires with the stream: an answer that outlives the request (a catch-up written in
  /// pieces) checks it, and so never reads a re-created stream of the same name.
  std::shared_ptr<const bool> life = std::make_shared<const bool>(true);
  bool json() const { return is_json(meta.content_type); }
};

/// The cursor interval at NOW_MS (see next_cursor).
inline std::int64_t cursor_interval(std::int64_t now_ms)
{
  return std::stoll(next_cursor(now_ms, std::nullopt));
}

/// An SSE control event at OFFSET of STREAM with CURSOR (none once the stream is over).
inline std::string control_event(const Server::Stream& stream, std::uint64_t offset,
                                 std::int64_t cursor)
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

/// Events that many SSE readers at the same place send alike, made once per wake-up.
struct SseCache {
  /// By offset: the data event and the offset after it.
  std::map<std::uint64_t, std::pair<std::string, std::uint64_t>> data;
  /// By offset and cursor: the data and control events together, and the offset after them.
  std::map<std::pair<std::uint64_t, std::int64_t>,
           std::pair<std::shared_ptr<const net::SharedChunk>, std::uint64_t>>
    events;
  std::map<std::pair<std::uint64_t, std::int64_t>, std::shared_ptr<const net::SharedChunk>> control;
  std::optional<std::int64_t> now_interval;
  std::int64_t interval()
  {
    if (!now_interval) {
      now_interval = cursor_interval(now_ms());
    }
    return *now_interval;
  }
};

/// An SSE reader: catch-up in data + control event pairs, then live.
class Server::SseReader : public std::enable_shared_from_this<SseReader> {
public:
  SseReader(Server& server, std::string name, std::shared_ptr<net::Connection> connection,
            std::uint64_t offset, std::optional<std::string> cursor, bool base64)
    : m_server(server), m_name(std::move(name)), m_connection(std::move(connection)),
      m_offset(offset), m_cursor(std::stoll(next_cursor(now_ms(), cursor))), m_base64(base64)
  {
  }
  ~SseReader() { m_server.m_loop.cancel(m_timer); }

  bool open() const { return m_connection->open() && m_connection->streaming(); }

  /// Sends what the stream has past the reader's offset; ends the stream once closed and sent.
  /// Returns false when the reader is done. CACHE shares events with other readers.
  bool pump(SseCache* cache = nullptr)
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

  void end()
  {
    if (open()) {
      m_connection->end_stream();
    }
  }

private:
  /// The data event of what follows the reader's offset (one read's worth); sets NEXT to the
  /// offset after it. Empty when there is nothing.
  std::string data_event(const Stream& stream, std::uint64_t& next)
  {
    const auto records = m_server.collect(m_name, m_offset, k_read_chunk);
    if (records.empty()) {
      return {};
    }
    const std::string payload = join_records(records, stream.json());
    next = records.back().position + records.back().bytes.size();
    return sse_event(sse_field::k_data_event, m_base64 ? base64(payload) : payload);
  }

  void control(const Stream& stream, SseCache* cache)
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

  void arm(std::chrono::milliseconds delay)
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

  Server& m_server;
  std::string m_name;
  std::shared_ptr<net::Connection> m_connection;
  std::uint64_t m_offset;
  std::int64_t m_cursor;
  bool m_base64;
  bool m_sent_control = false;
  bool m_sent_final = false; ///< the last control event said streamClosed
  net::EventLoop::Clock::time_point m_last_sent{};
  net::EventLoop::TimerId m_timer = 0;
};

/// A catch-up answer: the data of a stream from an offset to the tail as it was at the
/// request, the bytes as they are or JSON messages as one array; whole, or in pieces written
/// as the connection drains, so that a connection holds about k_catchup_queue bytes whatever
/// the size of the stream.
class Server::CatchUp : public std::enable_shared_from_this<CatchUp> {
public:
  CatchUp(Server& server, std::string name, const Stream& stream,
          std::shared_ptr<net::Connection> connection, std::uint64_t from, std::uint64_t end);

  /// The next piece of the body, about MAX_BYTES (a JSON array's brackets included).
  std::string next_piece(std::size_t max_bytes);
  /// Everything is given.
  bool done() const;
  /// The store had less than the stream's tail: the body is short.
  bool failed() const { return m_failed; }
  /// Writes pieces on the connection (its streamed response started) until about
  /// k_catchup_queue bytes are queued, and again each time it has drained; ends the response
  /// when done. Aborts the connection if the stream is deleted meanwhile.
  void pump();

private:
  Server& m_server;
  std::shared_ptr<bool> m_alive;
  std::string m_name;
  std::weak_ptr<const bool> m_life;
  std::shared_ptr<net::Connection> m_connection;
  std::uint64_t m_next;
  std::uint64_t m_end;
  bool m_json;
  bool m_opened = false;       ///< the JSON array's [ is given
  bool m_closed = false;       ///< and its ]
  std::uint64_t m_messages = 0;
  bool m_failed = false;
};

} // namespace durable
