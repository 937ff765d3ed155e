#pragma once
// One stream for every client: each event is encoded once, kept in a history ring, and queued
// to every session. A client that comes back with Last-Event-ID gets what it missed first.

#include "hub/session.hpp"
#include "hub/source.hpp"
#include "hub/stream_options.hpp"
#include "net/http_server.hpp"
#include "sse/event.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

namespace hub {

struct BroadcastOptions {
  std::size_t history = 1000;  ///< events kept for clients that resume
  bool from_start = false;     ///< a new client (no Last-Event-ID) gets the history first
  bool linger = false;         ///< once the source ends, keep serving the history
};

class Broadcast : public Source {
public:
  Broadcast(net::EventLoop& loop, const StreamOptions& stream, BroadcastOptions options);

  /// A new client. LAST_EVENT_ID is what it sent (empty when none). Once the source has ended
  /// and the client already has the last event, it gets 204 so it stops reconnecting.
  void attach(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
              const std::optional<std::string>& last_event_id,
              const net::Headers& headers) override;
  /// Sends EVENT to every client; an event without an id gets the next number.
  void publish(sse::Event event);
  /// The source has ended: every stream ends after what it has queued.
  void end() override;
  /// Sends a comment to every client now (not kept in the history).
  void publish_comment(std::string_view text);

  bool ended() const { return m_ended; }
  std::size_t client_count() const override { return m_sessions.size(); }
  /// Runs whenever the last client has gone after the end (the server may then stop).
  void on_drained(std::function<void()> callback) { m_on_drained = std::move(callback); }

private:
  struct Entry {
    std::string id;
    std::shared_ptr<const net::SharedChunk> chunk;
  };

  /// Where in the history a client that has LAST_EVENT_ID goes on; nullopt when unknown.
  std::optional<std::size_t> resume_index(const std::string& last_event_id) const;
  void forget(const std::shared_ptr<Session>& session);

  net::EventLoop& m_loop;
  const StreamOptions& m_stream;
  BroadcastOptions m_options;
  std::uint64_t m_next_id = 1;
  std::deque<Entry> m_history;
  std::string m_last_id;
  std::unordered_set<std::shared_ptr<Session>> m_sessions;
  bool m_ended = false;
  std::function<void()> m_on_drained;
};

} // namespace hub
