#pragma once
// Reads a Durable Streams stream from an offset (DIGEST.md §5): catch-up requests until the
// tail, then live reads by SSE or long-poll, resuming from the last offset with the cursor
// after every end or failure. EOF is Stream-Closed and nothing else. Offsets are opaque.

#include "durable/client/client.hpp"
#include "durable/protocol/headers.hpp"
#include "http/retry.hpp"
#include "http/transport.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace durable {

enum class Live { sse, long_poll, none };

struct ReaderOptions {
  http::Request request;      ///< the stream URL and the headers every request carries
  std::string offset = query::k_offset_start; ///< -1, now, or an offset the server issued
  Live live = Live::sse;
  bool retry = true;          ///< false: a failed request is an error, not retried
  std::optional<std::uint32_t> max_retries; ///< failures in a row without progress
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  std::optional<std::chrono::milliseconds> timeout;      ///< for the whole run
  std::optional<std::chrono::milliseconds> idle_timeout; ///< without a byte
  std::size_t max_message_size = 16 * 1024 * 1024;
  std::uint64_t seed = 0;
};

class ReaderHandler {
public:
  virtual ~ReaderHandler() = default;
  virtual void on_request(const http::Request& /*request*/, std::uint32_t /*attempt*/) {}
  virtual void on_response(const http::ResponseHead& /*head*/) {}
  /// A message of a JSON stream, compact or as the server wrote it; NEXT_OFFSET is where the
  /// response or SSE batch that carries it ends.
  virtual void on_message(std::string_view json, const std::string& next_offset) = 0;
  /// Bytes of any other stream.
  virtual void on_bytes(std::string_view bytes, const std::string& next_offset) = 0;
  /// Everything before NEXT_OFFSET has been delivered: a point to flush and save the offset.
  virtual void on_progress(const std::string& /*next_offset*/, bool /*up_to_date*/) {}
  /// A read failed (WHY; SETTING, what it follows from, as in util::Error) and is retried
  /// after WAIT.
  virtual void on_retry(std::chrono::milliseconds /*wait*/, const std::string& /*why*/,
                        util::Setting /*setting*/) {}
  /// Whether enough has been read; checked after every message or chunk.
  virtual bool done() const { return false; }
};

class Reader {
public:
  enum class End {
    closed,      ///< Stream-Closed: the stream is over for good
    up_to_date,  ///< Live::none reached the tail
    done,        ///< the handler had enough
    interrupted, ///< interrupt() was called
  };

  Reader(http::Transport& transport, ReaderOptions options, ReaderHandler& handler);

  /// Reads until an End. Throws util::Error: http_status for a status that is not retried
  /// (404, 410, 400...), bad_input for a response that breaks the protocol, timeout for
  /// --timeout and --idle-timeout, runtime when retries are exhausted.
  End run();
  /// Ends run() soon, from another thread.
  void interrupt();

  /// The offset to resume from: everything before it was delivered.
  const std::string& offset() const { return m_offset; }
  /// The stream's content type, once a response told it.
  const std::string& content_type() const { return m_content_type; }

private:
  friend class ReadResponse;
  friend class SseResponse;
  http::Request request_for(bool live) const;

  http::Transport& m_transport;
  ReaderOptions m_options;
  ReaderHandler& m_handler;
  std::string m_offset;
  std::optional<std::string> m_cursor;
  std::string m_content_type;
  bool m_json = false;
  bool m_caught_up = false;
  // Units (bytes, or messages of a JSON stream) delivered from a response that broke before
  // it ended: a retry from the same offset gets the same data again, and skips them.
  std::uint64_t m_delivered = 0;
  http::InterruptibleWait m_wait;
};

/// The query string for a read: parameters sorted by key (DIGEST.md §5), values escaped.
std::string read_query(const std::string& offset, std::optional<std::string_view> live,
                       const std::optional<std::string>& cursor);

} // namespace durable
