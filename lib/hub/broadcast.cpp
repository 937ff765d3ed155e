#include "hub/broadcast.hpp"

#include "hub/encoding.hpp"

#include <vector>

namespace hub {

Broadcast::Broadcast(net::EventLoop& loop, const StreamOptions& stream, BroadcastOptions options)
  : m_loop(loop), m_stream(stream), m_options(options)
{
}

std::optional<std::size_t> Broadcast::resume_index(const std::string& last_event_id) const
{
  for (std::size_t i = m_history.size(); i-- > 0;) {
    if (m_history[i].id == last_event_id) {
      return i + 1;
    }
  }
  return std::nullopt;
}

void Broadcast::attach(const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection,
                       const std::optional<std::string>& last_event_id,
                       const net::Headers& headers)
{
  std::size_t start = m_history.size();
  std::string notice;
  if (last_event_id && !last_event_id->empty()) {
    if (const auto index = resume_index(*last_event_id)) {
      start = *index;
    } else {
      // The id is older than the history, or from another run of the server: what the client
      // missed cannot be known, so it gets everything kept, and a comment saying so.
      start = 0;
      notice = "Last-Event-ID " + *last_event_id + " is not in the history; sending the " +
               std::to_string(m_history.size()) + " events kept";
    }
  } else if (m_options.from_start || m_ended) {
    start = 0;
  }
  if (m_ended && start == m_history.size() && notice.empty()) {
    // Nothing more will come: 204 is how a server tells EventSource to stop reconnecting.
    connection->respond(204, headers, {});
    return;
  }

  auto session = open_session(m_loop, connection, m_stream, headers, last_event_id,
                              std::to_string(m_history.size() - start) + " events from history",
                              notice);
  if (!session) {
    return;
  }
  std::size_t backlog = 0;
  for (std::size_t i = start; i < m_history.size(); ++i) {
    backlog += m_history[i].chunk->framed.size();
  }
  session->allow_backlog(backlog);
  for (std::size_t i = start; i < m_history.size() && session->open(); ++i) {
    session->send(m_history[i].chunk);
  }
  if (m_ended) {
    session->finish();
    return;
  }
  std::weak_ptr<Session> weak = session;
  session->on_end([this, weak]() {
    if (const auto self = weak.lock()) {
      forget(self);
    }
  });
  if (session->open()) {
    m_sessions.insert(session);
  }
}

void Broadcast::publish(sse::Event event)
{
  if (event.id.empty()) {
    event.id = std::to_string(m_next_id);
  }
  ++m_next_id;
  auto chunk = net::make_shared_chunk(encode_event(event, m_stream.eol));
  m_last_id = event.id;
  if (m_options.history > 0) {
    if (m_history.size() == m_options.history) {
      m_history.pop_front();
    }
    m_history.push_back(Entry{std::move(event.id), chunk});
  }
  // A session cut for being slow leaves the set through forget(), so iterate over a copy.
  std::vector<std::shared_ptr<Session>> sessions(m_sessions.begin(), m_sessions.end());
  for (const auto& session : sessions) {
    session->send(chunk);
  }
}

void Broadcast::publish_comment(std::string_view text)
{
  auto chunk = net::make_shared_chunk(encode_comment(text, m_stream.eol));
  std::vector<std::shared_ptr<Session>> sessions(m_sessions.begin(), m_sessions.end());
  for (const auto& session : sessions) {
    session->send(chunk);
  }
}

void Broadcast::end()
{
  if (m_ended) {
    return;
  }
  m_ended = true;
  std::vector<std::shared_ptr<Session>> sessions(m_sessions.begin(), m_sessions.end());
  for (const auto& session : sessions) {
    session->finish();
  }
  if (m_sessions.empty() && m_on_drained) {
    m_on_drained();
  }
}

void Broadcast::forget(const std::shared_ptr<Session>& session)
{
  m_sessions.erase(session);
  if (m_ended && m_sessions.empty() && m_on_drained) {
    m_on_drained();
  }
}

} // namespace hub
