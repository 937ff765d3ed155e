#pragma once
// The curl-like request options that every network subcommand shares: -H, -X, -d, --json,
// -u, --bearer, -k, --cacert, --connect-timeout, --proxy, --max-header-size.

#include "http/transport.hpp"
#include "http/url.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
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
  std::chrono::milliseconds connect_timeout = http::Request{}.connect_timeout;
  std::optional<http::Url> proxy;
  std::uint64_t max_header_size = http::Request{}.max_head_size;
};

/// Adds the request options to SUB, bound to OPTIONS. Without WITH_BODY, -X, -d and --json
/// are left out (commands whose requests the protocol fixes).
void add_request_options(CLI::App& sub, RequestOptions& options, bool with_body = true);

/// The request the options describe for URL; reads -d @FILE and @- now. Throws
/// util::Error(runtime) for a file that cannot be read.
http::Request build_request(const RequestOptions& options, const http::Url& url);

/// Validates an option value that is sent as a header value: no CR, LF or other control
/// character that could add a header or split the request (http::value_problem).
std::string check_header_value(const std::string& value);

/// NAME TEXT into VALUE, a value the request sends in a header, checked by check_header_value.
template <typename Value>
CLI::Option* add_header_value_option(CLI::App& sub, const std::string& name, Value& value,
                                     const std::string& help, const std::string& text)
{
  return sub.add_option(name, value, help)->check(check_header_value, text)->option_text(text);
}

} // namespace cmd
