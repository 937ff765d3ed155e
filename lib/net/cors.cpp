#include "net/cors.hpp"

#include "util/error.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cctype>

namespace net {
namespace {

/// Whether TEXT is an origin as browsers send it: "scheme://host[:port]", or "null".
bool is_origin(std::string_view text)
{
  if (text == "null") {
    return true;
  }
  const auto colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) {
    return false;
  }
  const std::string_view scheme = text.substr(0, colon);
  const bool scheme_ok = std::isalpha(static_cast<unsigned char>(scheme.front())) != 0 &&
                         std::all_of(scheme.begin(), scheme.end(), [](unsigned char c) {
                           return std::isalnum(c) != 0 || c == '+' || c == '-' || c == '.';
                         });
  std::string_view authority = text.substr(colon + 3);
  if (!scheme_ok || authority.empty() ||
      authority.find_first_of("/?#@ \t") != std::string_view::npos) {
    return false;
  }
  // The port, when there is one, is digits after the last colon outside an IPv6 literal.
  const auto bracket = authority.rfind(']');
  const auto port = authority.rfind(':');
  if (port != std::string_view::npos && (bracket == std::string_view::npos || port > bracket)) {
    const std::string_view digits = authority.substr(port + 1);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(),
                                       [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return false;
    }
    authority = authority.substr(0, port);
  }
  return !authority.empty();
}

} // namespace

CorsPolicy CorsPolicy::parse(const std::vector<std::string>& values)
{
  CorsPolicy policy;
  for (const std::string& value : values) {
    std::string_view rest = value;
    while (true) {
      const auto comma = rest.find(',');
      std::string_view item = util::trim_ows(rest.substr(0, comma));
      if (item == "*") {
        policy.m_any = true;
      } else {
        // "http://localhost:5173/" is how many people write an origin: the slash goes.
        const auto scheme_end = item.find("://");
        if (scheme_end != std::string_view::npos && item.size() > scheme_end + 4 &&
            item.back() == '/') {
          item.remove_suffix(1);
        }
        if (!is_origin(item)) {
          throw util::Error(util::Errc::usage,
                            "not an origin (scheme://host[:port], or *)",
                            "'" + std::string(item) + "'");
        }
        policy.m_origins.push_back(util::to_lower(item));
      }
      if (comma == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(comma + 1);
    }
  }
  return policy;
}

bool CorsPolicy::allows(const std::string* origin) const
{
  if (origin == nullptr || m_any) {
    return true;
  }
  const std::string lower = util::to_lower(*origin);
  return std::find(m_origins.begin(), m_origins.end(), lower) != m_origins.end();
}

std::string CorsPolicy::refusal(const std::string& origin, const util::SettingNamer& name_setting) const
{
  return "origin '" + origin + "' is not allowed: start the server with " +
         util::name_of(name_setting, util::Setting::cors) + " '" + origin +
         "' to let its pages in\n";
}

Headers CorsPolicy::response_headers(const std::string* origin, std::string_view expose) const
{
  Headers headers;
  if (m_any) {
    headers.emplace_back("Access-Control-Allow-Origin", "*");
  } else if (!m_origins.empty()) {
    if (origin != nullptr && allows(origin)) {
      headers.emplace_back("Access-Control-Allow-Origin", *origin);
      // A named origin may send credentials (EventSource's withCredentials).
      headers.emplace_back("Access-Control-Allow-Credentials", "true");
    }
    // Caches must keep one answer per origin.
    headers.emplace_back("Vary", "Origin");
  }
  if (!expose.empty() && !headers.empty() && headers.front().first == "Access-Control-Allow-Origin") {
    headers.emplace_back("Access-Control-Expose-Headers", std::string(expose));
  }
  return headers;
}

Headers CorsPolicy::preflight_headers(const HttpRequest& request, std::string_view methods,
                                      std::string_view allowed) const
{
  Headers headers = response_headers(request.header("origin"));
  headers.emplace_back("Access-Control-Allow-Methods", std::string(methods));
  const std::string* asked = request.header("access-control-request-headers");
  if (!allowed.empty()) {
    headers.emplace_back("Access-Control-Allow-Headers", std::string(allowed));
  } else if (asked != nullptr) {
    headers.emplace_back("Access-Control-Allow-Headers", *asked);
  }
  headers.emplace_back("Access-Control-Max-Age", "86400");
  return headers;
}

bool is_preflight(const HttpRequest& request)
{
  return request.method == "OPTIONS" && request.header("origin") != nullptr &&
         request.header("access-control-request-method") != nullptr;
}

} // namespace net
