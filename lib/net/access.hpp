#pragma once
// Who may use a server: the names it answers to and the pages it lets in. Both servers apply
// it to every request before anything else.

#include "net/allowed_hosts.hpp"
#include "net/cors.hpp"

#include <optional>
#include <string>

namespace net {

struct AccessPolicy {
  AllowedHosts hosts;
  CorsPolicy cors;

  /// Why REQUEST is refused with 403 (its Host or its Origin is not allowed), or nullopt.
  std::optional<std::string> refusal(const HttpRequest& request) const
  {
    if (!hosts.allows(request)) {
      return hosts.refusal(*request.header("host"));
    }
    const std::string* origin = request.header("origin");
    if (!cors.allows(origin)) {
      return cors.refusal(*origin);
    }
    return std::nullopt;
  }
};

} // namespace net
