#pragma once
// Who may use a server: the names it answers to and the pages it lets in. Both servers apply
// it to every request before anything else.

#include "net/allowed_hosts.hpp"
#include "net/cors.hpp"
#include "util/error.hpp"

#include <optional>
#include <string>

namespace net {

struct AccessPolicy {
  AllowedHosts hosts;
  CorsPolicy cors;
  /// How a refusal names the setting that would let the request in ("start it with
  /// --allow-host NAME"); empty: by its util::setting_id.
  util::SettingNamer name_setting;

  /// Why REQUEST is refused with 403 (its Host or its Origin is not allowed), or nullopt.
  std::optional<std::string> refusal(const HttpRequest& request) const
  {
    if (!hosts.allows(request)) {
      return hosts.refusal(*request.header("host"), name_setting);
    }
    const std::string* origin = request.header("origin");
    if (!cors.allows(origin)) {
      return cors.refusal(*origin, name_setting);
    }
    return std::nullopt;
  }
};

} // namespace net
