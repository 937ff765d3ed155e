#include "hub/routes.hpp"

namespace hub {
namespace {

constexpr const char* k_allowed_methods = "GET, HEAD, OPTIONS";

} // namespace

void route(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection,
           const StreamOptions& options, Source& source)
{
  const net::CorsPolicy& cors = options.access.cors;
  if (const auto refusal = options.access.refusal(request)) {
    if (options.log) {
      options.log(connection->peer() + ": refused: " + refusal->substr(0, refusal->size() - 1));
    }
    net::Headers headers = cors.response_headers(nullptr);
    headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    connection->respond(403, headers, *refusal);
    return;
  }
  net::Headers headers = cors.response_headers(request.header("origin"));
  if (request.method == "OPTIONS") {
    if (net::is_preflight(request)) {
      // The headers the page asks for, which EventSource and fetch keep to a few.
      const bool asked = request.header("access-control-request-headers") != nullptr;
      headers = cors.preflight_headers(request, k_allowed_methods,
                                       asked ? "" : "Last-Event-ID, Cache-Control");
    }
    headers.emplace_back("Allow", k_allowed_methods);
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
    const std::string limit = util::name_of(options.name_setting, util::Setting::max_clients);
    connection->respond(503, headers,
                        "too many clients: at most " + std::to_string(options.max_clients) +
                          " at once (" + limit + ")\n");
    if (options.log) {
      options.log(connection->peer() + ": refused, " + limit + " reached");
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
