#include "hub/session.hpp"

#include "hub/encoding.hpp"

namespace hub {

net::Headers stream_headers()
{
  return {{"Content-Type", "text/event-stream"},
          {"Cache-Control", "no-cache"},
          {"X-Accel-Buffering", "no"}};
}

std::shared_ptr<Session> open_session(net::EventLoop& loop,
                                      const std::shared_ptr<net::Connection>& connection,
                                      const StreamOptions& options, const net::Headers& headers,
                                      const std::optional<std::string>& last_event_id,
                                      const std::string& detail, const std::string& notice)
{
  auto session = std::make_shared<Session>(loop, connection, options);
  session->start(headers);
  if (!session->open()) {
    return nullptr;
  }
  if (options.log) {
    options.log(connection->peer() + ": connected" +
                (last_event_id ? ", Last-Event-ID " + *last_event_id : std::string()) + ", " +
                detail);
  }
  if (!notice.empty()) {
    session->send(encode_comment(notice, options.eol));
  }
  return session;
}

Session::Session(net::EventLoop& loop, std::shared_ptr<net::Connection> connection,
                 const StreamOptions& options)
  : m_loop(loop), m_connection(std::move(connection)), m_options(options)
{
}

Session::~Session()
{
  m_loop.cancel(m_heartbeat_timer);
  m_loop.cancel(m_lifetime_timer);
}

void Session::start(const net::Headers& headers)
{
  net::Headers all = stream_headers();
  all.insert(all.end(), headers.begin(), headers.end());
  std::weak_ptr<Session> weak = weak_from_this();
  m_connection->on_close([weak]() {
    if (const auto self = weak.lock()) {
      self->ended();
    }
  });
  m_connection->start_stream(200, all);
  if (!open()) {
    return; // a HEAD request: the head was all it asked for
  }
  std::string opening;
  if (m_options.bom) {
    opening += "\xEF\xBB\xBF";
  }
  if (m_options.retry_ms) {
    opening += encode_retry(*m_options.retry_ms, m_options.eol);
  }
  if (!m_options.hello.empty()) {
    opening += encode_comment(m_options.hello, m_options.eol);
  }
  m_last_send = m_loop.now();
  if (!opening.empty()) {
    m_connection->write(opening);
  }
  if (m_options.heartbeat.count() > 0) {
    arm_heartbeat(m_options.heartbeat);
  }
  if (m_options.max_lifetime.count() > 0) {
    m_lifetime_timer = m_loop.after(m_options.max_lifetime, [weak]() {
      if (const auto self = weak.lock()) {
        self->m_lifetime_timer = 0;
        self->log("reached " + self->setting(util::Setting::max_lifetime));
        self->finish();
      }
    });
  }
}

bool Session::over_budget(std::size_t adding)
{
  const std::size_t budget = m_options.client_buffer + m_backlog;
  if (m_connection->queued_bytes() + adding <= budget) {
    return false;
  }
  // A burst queues many events in one round; write them out before judging the client. Only
  // what stays queued counts: an event larger than the budget still reaches a client that
  // keeps up.
  m_connection->flush_now();
  if (m_connection->queued_bytes() <= budget) {
    return false;
  }
  log("cut: more than " + setting(util::Setting::client_buffer) + " queued");
  m_connection->abort();
  return true;
}

bool Session::send(const std::shared_ptr<const net::SharedChunk>& chunk)
{
  if (!open() || over_budget(chunk->framed.size())) {
    return false;
  }
  m_connection->write(chunk);
  m_last_send = m_loop.now();
  return true;
}

bool Session::send(std::string_view bytes)
{
  if (!open() || over_budget(bytes.size())) {
    return false;
  }
  m_connection->write(bytes);
  m_last_send = m_loop.now();
  return true;
}

void Session::stall(std::chrono::milliseconds duration)
{
  m_silent_until = m_loop.now() + duration;
}

void Session::arm_heartbeat(std::chrono::milliseconds delay)
{
  std::weak_ptr<Session> weak = weak_from_this();
  m_heartbeat_timer = m_loop.after(delay, [weak]() {
    if (const auto self = weak.lock()) {
      self->m_heartbeat_timer = 0;
      self->heartbeat();
    }
  });
}

void Session::heartbeat()
{
  if (!open()) {
    return;
  }
  const auto now = m_loop.now();
  // One timer per client, moved on rather than reset on every event: sending stays cheap.
  // After a stall the connection is quiet from its end on: the next heartbeat is a whole
  // interval later, not at the very moment the stall ends (when the script goes on anyway).
  auto due = std::max(m_last_send, m_silent_until) + m_options.heartbeat;
  if (due <= now) {
    send(encode_comment("heartbeat", m_options.eol));
    due = now + m_options.heartbeat;
  }
  arm_heartbeat(std::chrono::ceil<std::chrono::milliseconds>(due - now));
}

void Session::finish()
{
  if (!open()) {
    return;
  }
  if (!m_options.goodbye.empty()) {
    m_connection->write(encode_comment(m_options.goodbye, m_options.eol));
  }
  m_connection->end_stream();
  ended();
}

void Session::drop()
{
  if (!open()) {
    return;
  }
  m_connection->close_after_flush();
  ended();
}

void Session::ended()
{
  m_loop.cancel(m_heartbeat_timer);
  m_loop.cancel(m_lifetime_timer);
  m_heartbeat_timer = 0;
  m_lifetime_timer = 0;
  if (auto callback = std::move(m_on_end)) {
    m_on_end = nullptr;
    callback();
  }
}

std::string Session::setting(util::Setting setting) const
{
  return util::name_of(m_options.name_setting, setting);
}

void Session::log(const std::string& what) const
{
  if (m_options.log) {
    m_options.log(m_connection->peer() + ": " + what);
  }
}

} // namespace hub
