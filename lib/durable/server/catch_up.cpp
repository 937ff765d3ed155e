#include "durable/server/catch_up.hpp"

namespace durable {

Server::CatchUp::CatchUp(Server& server, std::string name, const Stream& stream,
                         std::shared_ptr<net::Connection> connection, std::uint64_t from,
                         std::uint64_t end)
  : m_server(server), m_alive(server.m_alive), m_name(std::move(name)), m_life(stream.life),
    m_connection(std::move(connection)), m_next(from), m_end(end), m_json(stream.json())
{
}

std::string Server::CatchUp::next_piece(std::size_t max_bytes)
{
  std::string piece;
  if (m_json && !m_opened) {
    piece += '[';
    m_opened = true;
  }
  if (m_next < m_end && !m_failed) {
    const std::uint64_t before = m_next;
    const std::uint64_t left = m_end - m_next;
    const std::size_t expected = left < max_bytes ? static_cast<std::size_t>(left) : max_bytes;
    piece.reserve(piece.size() + expected + (m_json ? expected / 32 + 2 : 0));
    // Bytes are cut at MAX_BYTES; JSON messages are given whole.
    const std::uint64_t until = m_json ? m_end : m_next + expected;
    m_next = m_server.visit(m_name, m_next, until, max_bytes,
                            [this, &piece](std::uint64_t, std::string_view bytes) {
                              if (m_json && m_messages++ > 0) {
                                piece += ',';
                              }
                              piece.append(bytes);
                            });
    m_failed = m_next == before;
  }
  if (m_json && !m_closed && (m_next >= m_end || m_failed)) {
    piece += ']';
    m_closed = true;
  }
  return piece;
}

bool Server::CatchUp::done() const
{
  return m_next >= m_end && (!m_json || m_closed);
}

void Server::CatchUp::pump()
{
  if (!m_connection->open() || !m_connection->streaming()) {
    return; // the reader went (or a HEAD got the head only)
  }
  if (!*m_alive || m_life.expired()) {
    m_connection->abort(); // the stream was deleted: the answer cannot be finished
    return;
  }
  while (!done() && m_connection->queued_bytes() < k_catchup_queue) {
    std::string piece = next_piece(k_catchup_piece);
    if (m_failed) {
      m_connection->abort();
      return;
    }
    m_connection->write_owned(std::move(piece));
  }
  if (done()) {
    m_connection->end_stream();
    return;
  }
  m_connection->when_drained(k_catchup_queue / 2, [self = shared_from_this()]() { self->pump(); });
}

} // namespace durable
