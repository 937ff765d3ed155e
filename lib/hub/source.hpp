#pragma once
// What feeds the clients of `sse serve`: one broadcast for all, or a stream per client (a
// script, the demo, a child process).

#include "net/http_server.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hub {

class Source {
public:
  virtual ~Source() = default;
  /// Starts serving a client that asked for the stream. LAST_EVENT_ID comes from the header or
  /// `?lastEventId=`; HEADERS (CORS) go on the response.
  virtual void attach(const net::HttpRequest& request,
                      const std::shared_ptr<net::Connection>& connection,
                      const std::optional<std::string>& last_event_id,
                      const net::Headers& headers) = 0;
  /// Clients being streamed to now.
  virtual std::size_t client_count() const = 0;
  /// Ends every stream cleanly (server shutdown).
  virtual void end() = 0;
};

} // namespace hub
