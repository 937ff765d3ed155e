#pragma once
// A live SSE read of one stream (DIGEST.md §3.13, §4): catch-up in data + control event pairs,
// then an event pair at each append, heartbeats while quiet, and the end once the stream is
// closed and sent. Part of the server, not of the library's interface.

#include "durable/server/internal.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace durable {

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
  /// The cursor interval of now, taken once per wake-up.
  std::int64_t interval();
};

class Server::SseReader : public std::enable_shared_from_this<SseReader> {
public:
  SseReader(Server& server, std::string name, std::shared_ptr<net::Connection> connection,
            std::uint64_t offset, std::optional<std::string> cursor, bool base64);
  ~SseReader();

  bool open() const { return m_connection->open() && m_connection->streaming(); }

  /// Sends what the stream has past the reader's offset; ends the stream once closed and sent.
  /// Returns false when the reader is done. CACHE shares events with other readers.
  bool pump(SseCache* cache = nullptr);

  void end();

private:
  /// The data event of what follows the reader's offset (one read's worth); sets NEXT to the
  /// offset after it. Empty when there is nothing.
  std::string data_event(const Stream& stream, std::uint64_t& next);
  void control(const Stream& stream, SseCache* cache);
  void arm(std::chrono::milliseconds delay);

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

} // namespace durable
