#pragma once
// The HTTP rules of `sse serve` before a source sees a request: the Host and Origin allowed,
// methods, CORS and its preflight, the client limit, and where a resuming client's
// Last-Event-ID comes from.

#include "hub/source.hpp"
#include "hub/stream_options.hpp"
#include "net/http_server.hpp"

namespace hub {

/// Answers REQUEST, handing stream requests (GET, HEAD) to SOURCE.
void route(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
           const StreamOptions& options, Source& source);

} // namespace hub
