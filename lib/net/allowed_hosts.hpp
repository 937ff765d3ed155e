#pragma once
// Which names a server answers to, read from the Host header: a defence against DNS
// rebinding, where a page's own name is pointed at 127.0.0.1 so that its scripts reach a local
// server as if from the same origin. Such a request always names the attacker's domain, so
// the rule (that of common dev servers) is: IP addresses, "localhost" and names under
// ".localhost", the name the server was bound to, and the names given; "*" allows any.

#include "net/http_request.hpp"
#include "util/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace net {

class AllowedHosts {
public:
  /// Loopback names and IP addresses only.
  AllowedHosts() = default;
  /// Also BOUND (the address the server listens on, when it is a name) and each of NAMES: a
  /// host name, ".example.com" for that name and every name under it, or "*" for any Host.
  /// Throws util::Error(usage) naming an empty or malformed name.
  AllowedHosts(std::string_view bound, const std::vector<std::string>& names);

  /// Whether HOST, the value of a Host header ("name", "name:port", "[v6]:port"), is allowed.
  bool allows(std::string_view host) const;
  /// Whether REQUEST may be answered: its Host is allowed, or it has none (HTTP/1.0).
  bool allows(const HttpRequest& request) const;
  /// Why a request with HOST is refused (403), for the response body; NAME_SETTING names the
  /// setting that would allow it (util::Setting::allow_host).
  std::string refusal(std::string_view host, const util::SettingNamer& name_setting = {}) const;

private:
  bool m_any = false;
  std::vector<std::string> m_names; ///< lower case; a leading '.' allows the names under it
};

} // namespace net
