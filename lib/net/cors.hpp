#pragma once
// Which web pages may use a server from a browser (CORS, the Fetch standard): none, every
// origin ("*"), or the origins named. The one rule of both servers: a request whose Origin is
// not allowed is refused, so a page cannot even send a "simple" request (a POST without a
// preflight) that changes something; an allowed origin gets the headers that let its page
// read the answer.

#include "net/http_request.hpp"
#include "net/http_server.hpp"
#include "util/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net {

class CorsPolicy {
public:
  /// No origin is allowed.
  CorsPolicy() = default;
  /// From option values, each "*" or origins ("scheme://host[:port]") separated by commas.
  /// Throws util::Error(usage) naming a value that is neither.
  static CorsPolicy parse(const std::vector<std::string>& values);

  bool allows_any() const { return m_any; }
  /// Whether no origin is allowed.
  bool none() const { return !m_any && m_origins.empty(); }
  /// Whether a request with ORIGIN (null: it has none, so it is no page's cross-origin
  /// request) may be answered.
  bool allows(const std::string* origin) const;
  /// Why a request from ORIGIN is refused (403), for the response body; NAME_SETTING names the
  /// setting that would let it in (util::Setting::cors).
  std::string refusal(const std::string& origin, const util::SettingNamer& name_setting = {}) const;
  /// The headers of any response to a request from ORIGIN (null: none), which must be allowed:
  /// Access-Control-Allow-Origin and -Credentials, Vary: Origin when the answer depends on it,
  /// and Access-Control-Expose-Headers: EXPOSE when EXPOSE is not empty.
  Headers response_headers(const std::string* origin, std::string_view expose = {}) const;
  /// The headers of the answer to a preflight (OPTIONS with Access-Control-Request-Method)
  /// from an allowed ORIGIN: response_headers plus METHODS, the request headers ALLOWED (or,
  /// when empty, those the page asked for) and a day's Max-Age.
  Headers preflight_headers(const HttpRequest& request, std::string_view methods,
                            std::string_view allowed) const;

private:
  bool m_any = false;
  std::vector<std::string> m_origins; ///< lower case, without a trailing slash
};

/// Whether REQUEST is a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method.
bool is_preflight(const HttpRequest& request);

} // namespace net
