#include "hub/routes.hpp"

namespace hub {
namespace {

constexpr const char* k_allowed_methods = "GET, HEAD, OPTIONS";

} // namespace

net::Headers cors_headers(const net::HttpRequest& request, const StreamOptions& options)
{
  if (options.cors_origin.empty()) {
    return {};
  }
  if (options.cors_origin == "*") {
    return {{"Access-Control-Allow-Origin", "*"}};
  }
  const std::string* origin = request.header("origin");
  if (origin == nullptr || *origin != options.cors_origin) {
    return {{"Vary", "Origin"}};
  }
  // A named origin may send credentials (EventSource's withCredentials).
  return {{"Access-Control-Allow-Origin", *origin},
          {"Access-Control-Allow-Credentials", "true"},
          {"Vary", "Origin"}};
}

void route(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
           const StreamOptions& options, Source& source)
{
  net::Headers headers = cors_headers(request, options);
  if (request.method == "OPTIONS") {
    headers.emplace_back("Allow", k_allowed_methods);
    if (!options.cors_origin.empty()) {
      headers.emplace_back("Access-Control-Allow-Methods", k_allowed_methods);
      const std::string* asked = request.header("access-control-request-headers");
      headers.emplace_back("Access-Control-Allow-Headers",
                           asked != nullptr ? *asked : "Last-Event-ID, Cache-Control");
      headers.emplace_back("Access-Control-Max-Age", "86400");
    }
    connection->respond(204, headers, {});
    return;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    headers.emplace_back("Allow", k_allowed_methods);
    headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    connection->respond(405, headers, "sse serve answers GET, HEAD and OPTIONS\n");
    return;
  }
  if (options.max_clients != 0 && source.client_count() >= options.max_clients) {
    headers.emplace_back("Retry-After", "1");
    headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    connection->respond(503, headers, "too many clients (--max-clients)\n");
    if (options.log) {
      options.log(connection->peer() + ": refused, --max-clients reached");
    }
    return;
  }
  // Browsers cannot set headers on EventSource, so proxies and pages put the id in the query.
  std::optional<std::string> last_event_id;
  if (const std::string* header = request.header("last-event-id")) {
    last_event_id = *header;
  } else {
    last_event_id = request.query_param("lastEventId");
  }
  source.attach(request, connection, last_event_id, headers);
}

} // namespace hub
