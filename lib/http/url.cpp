#include "http/url.hpp"

#include "util/error.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cctype>

namespace http {
namespace {

util::Error bad_url(std::string_view text, const std::string& why)
{
  return util::Error(util::Errc::usage, "invalid URL: " + why, std::string(text));
}

} // namespace

std::string Url::origin() const
{
  const bool ipv6 = host.find(':') != std::string::npos;
  return scheme + "://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Url parse_url(std::string_view text)
{
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    throw bad_url(text, "expected http:// or https://");
  }
  Url url;
  url.scheme = util::to_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    throw bad_url(text, "unsupported scheme '" + url.scheme + "'");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    throw bad_url(text, "user:password@ in the URL is not supported; use -u");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      throw bad_url(text, "unterminated [ in the host");
    }
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        throw bad_url(text, "unexpected text after ]");
      }
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    throw bad_url(text, "no host");
  }
  url.host = util::to_lower(url.host);
  url.port = url.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9' || port > 65535) {
        throw bad_url(text, "invalid port '" + std::string(port_text) + "'");
      }
      port = port * 10 + (c - '0');
    }
    if (port == 0 || port > 65535) {
      throw bad_url(text, "invalid port '" + std::string(port_text) + "'");
    }
    url.port = port;
  }
  if (const auto hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  url.target = target.empty() || target.front() == '?' ? "/" + std::string(target) : std::string(target);
  for (char c : url.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      throw bad_url(text, "spaces and control characters must be percent-encoded");
    }
  }
  return url;
}

} // namespace http
