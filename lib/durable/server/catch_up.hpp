#pragma once
// A catch-up read of one stream answered in pieces (DIGEST.md §3.12). Part of the server, not
// of the library's interface.

#include "durable/server/internal.hpp"

#include <memory>
#include <string>

namespace durable {

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
