#pragma once
// One client's event stream: the response head, BOM, `retry:` and hello at the start,
// heartbeats while idle, a bounded queue (a client that falls behind is cut and may resume by
// id), a maximum lifetime, and a goodbye at a clean end.

#include "hub/stream_options.hpp"
#include "net/http_server.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hub {

class Session : public std::enable_shared_from_this<Session> {
public:
  Session(net::EventLoop& loop, std::shared_ptr<net::Connection> connection,
          const StreamOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Sends the 200 head with HEADERS added, then the BOM, `retry:` and hello.
  void start(const net::Headers& headers);
  /// Queues bytes of event-stream text; false when the client is gone or was cut for being
  /// CLIENT_BUFFER behind.
  bool send(const std::shared_ptr<const net::SharedChunk>& chunk);
  bool send(std::string_view bytes);
  /// Allows BYTES more to be queued than --client-buffer: the history a resuming client is
  /// sent at once, which it cannot have fallen behind on.
  void allow_backlog(std::size_t bytes) { m_backlog = bytes; }
  /// Sends no heartbeat for DURATION (a scripted stall: the connection goes silent).
  void stall(std::chrono::milliseconds duration);
  /// Ends the stream cleanly, after the goodbye comment.
  void finish();
  /// Ends the connection without ending the body: the client sees a dropped connection.
  void drop();

  bool open() const { return m_connection->open() && m_connection->streaming(); }
  const std::string& peer() const { return m_connection->peer(); }
  /// Runs once when the connection ends, whoever ended it.
  void on_end(std::function<void()> callback) { m_on_end = std::move(callback); }

private:
  bool over_budget(std::size_t adding);
  void arm_heartbeat(std::chrono::milliseconds delay);
  void heartbeat();
  void ended();
  void log(const std::string& what) const;
  /// SETTING in the words of the log ("--max-lifetime").
  std::string setting(util::Setting setting) const;

  net::EventLoop& m_loop;
  std::shared_ptr<net::Connection> m_connection;
  const StreamOptions& m_options;
  net::EventLoop::Clock::time_point m_last_send;
  net::EventLoop::Clock::time_point m_silent_until;
  std::size_t m_backlog = 0;
  net::EventLoop::TimerId m_heartbeat_timer = 0;
  net::EventLoop::TimerId m_lifetime_timer = 0;
  std::function<void()> m_on_end;
};

/// The headers every event stream gets: type, no caching, no proxy buffering.
net::Headers stream_headers();

/// Starts a client's stream with HEADERS and logs "connected[, Last-Event-ID X], DETAIL"; then
/// sends NOTICE as a comment, if any. Null for a HEAD request, which the head has answered.
std::shared_ptr<Session> open_session(net::EventLoop& loop,
                                      const std::shared_ptr<net::Connection>& connection,
                                      const StreamOptions& options, const net::Headers& headers,
                                      const std::optional<std::string>& last_event_id,
                                      const std::string& detail, const std::string& notice);

} // namespace hub
