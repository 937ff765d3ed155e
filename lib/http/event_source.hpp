#pragma once
// A client for event streams with the reconnection rules of a browser's EventSource, made safe
// for scripts: Last-Event-ID, retry:, backoff with jitter, Retry-After, 204 to stop, fatal 4xx,
// no silent re-send of non-GET requests, and total and idle timeouts.

#include "http/retry.hpp"
#include "http/transport.hpp"
#include "sse/parser.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace http {

struct EventSourceOptions {
  Request request;
  bool reconnect = true;        ///< false: --no-reconnect
  bool retry_non_get = false;   ///< --retry-post: also re-send POST and other methods
  std::optional<std::uint32_t> max_retries; ///< reconnects in a row without an event
  std::chrono::milliseconds retry{3000};    ///< until the server sends retry:
  std::chrono::milliseconds max_backoff{30000};
  std::optional<std::chrono::milliseconds> timeout;      ///< for the whole run
  std::optional<std::chrono::milliseconds> idle_timeout; ///< without a byte
  std::string last_event_id;    ///< sent with the first request already
  sse::ParserOptions parser;
  std::uint64_t seed = 0;       ///< for the jitter; 0 picks one at random
  bool detect_durable = false;  ///< end with End::durable_stream on a Stream-Next-Offset header
};

/// What the stream delivers, beyond the parser's events.
class EventSourceHandler : public sse::ParserHandler {
public:
  /// A request is about to be sent (attempt 0 is the first).
  virtual void on_request(const Request& /*request*/, std::uint32_t /*attempt*/) {}
  /// A response with an event stream arrived.
  virtual void on_open(const ResponseHead& /*head*/) {}
  /// A chunk of the body has been parsed and its events delivered: a point to flush.
  virtual void on_chunk_parsed() {}
  /// The stream ended or failed (WHY, empty for a clean end; SETTING, what it follows from,
  /// as in util::Error) and will be resumed after WAIT.
  virtual void on_reconnect(std::chrono::milliseconds /*wait*/, const std::string& /*why*/,
                            util::Setting /*setting*/) {}
  /// Whether enough has been read (a stop condition met); checked after every event.
  virtual bool done() const { return false; }
  /// Whether the stream asked the client to reconnect now (a `reconnect` state event); the
  /// connection is dropped and resumed as after an end of stream. Cleared by on_reconnect.
  virtual bool wants_reconnect() const { return false; }
};

class EventSource {
public:
  EventSource(Transport& transport, EventSourceOptions options, EventSourceHandler& handler);

  enum class End {
    finished,       ///< done, 204, or a clean end not to be resumed
    durable_stream, ///< the response was a Durable Streams read (Stream-Next-Offset), not SSE
  };

  /// Reads until the handler is done, the server says 204, or a stream ends that may not be
  /// resumed. Throws util::Error: http_status for a fatal status, bad_input for a response
  /// that is not an event stream or an event over the size limit, timeout when a timeout
  /// expires, runtime when reconnecting is not allowed or retries are exhausted.
  End run();

  /// Ends run() soon, from another thread (stdout was closed): the transfer is cancelled and a
  /// wait before reconnecting ends at once; run() then returns normally.
  void interrupt();

  /// The last event ID, to resume from later.
  const std::string& last_event_id() const { return m_parser.last_event_id(); }

private:
  class Forwarder : public sse::ParserHandler {
  public:
    explicit Forwarder(EventSource& source) : m_source(source) {}
    void on_event(const sse::EventView& event) override;
    void on_comment(std::string_view text) override;
    void on_retry(std::uint64_t milliseconds) override;
    void on_raw(std::string_view bytes) override;

  private:
    EventSource& m_source;
  };

  Transport& m_transport;
  EventSourceOptions m_options;
  EventSourceHandler& m_handler;
  Forwarder m_forwarder;
  sse::Parser m_parser;
  std::uint64_t m_events_this_connection = 0;
  std::optional<std::chrono::milliseconds> m_server_retry;
  InterruptibleWait m_wait;
};

} // namespace http
