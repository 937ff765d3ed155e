#pragma once
// The curl-like request options that every network subcommand shares: -H, -X, -d, --json,
// -u, --bearer, -k, --cacert, --connect-timeout, --proxy, --max-header-size.

#include "http/transport.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace cmd {

struct RequestOptions {
  std::vector<std::string> headers;
  std::string method;
  std::string data;
  std::string json;
  std::string user;
  std::string bearer;
  bool insecure = false;
  std::string cacert;
  std::string connect_timeout = "10s";
  std::string proxy;
  std::string max_header_size = "256KiB";
};

/// Adds the request options to SUB, bound to OPTIONS. Without WITH_BODY, -X, -d and --json
/// are left out (commands whose requests the protocol fixes).
void add_request_options(CLI::App& sub, RequestOptions& options, bool with_body = true);

/// The request the options describe for URL; reads -d @FILE and @- now. Throws util::Error
/// (usage for a malformed header or URL, runtime for a file that cannot be read).
http::Request build_request(const RequestOptions& options, const std::string& url);

/// Validates a duration option value ("500ms", "15s", "2m").
std::string check_duration(const std::string& value);

/// Validates an option value that is sent as a header value: no CR, LF or other control
/// character that could add a header or split the request (http::value_problem).
std::string check_header_value(const std::string& value);

} // namespace cmd
