#pragma once
// Absolute http and https URLs, split the way an HTTP client needs them.

#include <string>
#include <string_view>

namespace http {

struct Url {
  std::string scheme; ///< "http" or "https", lower case
  std::string host;   ///< a name, an IPv4 address, or an IPv6 address without brackets
  int port = 0;       ///< explicit, or 80/443 from the scheme
  std::string target; ///< path and query, at least "/"; the fragment is dropped

  /// "scheme://host:port", brackets around IPv6 hosts: what identifies the server.
  std::string origin() const;
  /// The whole URL again, without a fragment.
  std::string str() const { return origin() + target; }
};

/// Parses an absolute http(s) URL; throws util::Error(usage) saying what is wrong with it.
Url parse_url(std::string_view text);

} // namespace http
