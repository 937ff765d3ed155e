#include "request_options.hpp"

#include "typed_options.hpp"
#include "http/request_check.hpp"
#include "util/error.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace cmd {
namespace {

// A -d or --json value: literal text, @FILE for a file's contents, @- for stdin.
std::string body_from(const std::string& value, const char* option)
{
  if (value.empty() || value.front() != '@') {
    return value;
  }
  const std::string path = value.substr(1);
  if (path == "-") {
    return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw util::Error(util::Errc::runtime, std::string("cannot read the body for ") + option, path);
  }
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::string trim(std::string text)
{
  const auto first = text.find_first_not_of(" \t");
  const auto last = text.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

} // namespace

std::string check_header_value(const std::string& value)
{
  const std::string problem = http::value_problem(value);
  return problem.empty() ? std::string() : "the value " + problem;
}

namespace {

// -H 'Name: value': a token before the colon, a value that cannot split the request.
std::string check_header_option(const std::string& header)
{
  const auto colon = header.find(':');
  if (colon == std::string::npos || colon == 0) {
    return "expected 'Name: value'";
  }
  if (const auto problem = http::token_problem(trim(header.substr(0, colon))); !problem.empty()) {
    return "the header name " + problem;
  }
  return check_header_value(header.substr(colon + 1));
}

std::string check_method(const std::string& method)
{
  const std::string problem = http::token_problem(method);
  return problem.empty() ? std::string() : "the method " + problem;
}

} // namespace

void add_request_options(CLI::App& sub, RequestOptions& options, bool with_body)
{
  const char* group = "Request";
  sub.add_option("-H,--header", options.headers, "Add a header 'Name: value' (repeatable)")
    ->allow_extra_args(false) // one HEADER per -H: the next word is the URL
    ->check(check_header_option, "HEADER")
    ->option_text("HEADER")
    ->group(group);
  if (with_body) {
    sub.add_option("-X,--request", options.method, "Use METHOD instead of GET (POST with a body)")
      ->check(check_method, "METHOD")
      ->option_text("METHOD")
      ->group(group);
    auto* data = sub.add_option("-d,--data", options.data, "Send DATA as the body; @FILE or @- reads it")
                   ->option_text("DATA")
                   ->group(group);
    sub.add_option("--json", options.json, "Send a JSON body (sets Content-Type); @FILE or @-")
      ->option_text("JSON")
      ->excludes(data)
      ->group(group);
  }
  add_header_value_option(sub, "-u,--user", options.user, "Basic authentication as USER:PASSWORD",
                          "USER:PASSWORD")
    ->group(group);
  add_header_value_option(sub, "--bearer", options.bearer, "Send 'Authorization: Bearer TOKEN'", "TOKEN")
    ->group(group);
  sub.add_flag("-k,--insecure", options.insecure, "Do not verify the server's TLS certificate")
    ->group(group);
  sub.add_option("--cacert", options.cacert, "Verify TLS servers against the CAs in FILE")
    ->option_text("FILE")
    ->check(CLI::ExistingFile)
    ->group(group);
  add_duration_option(sub, "--connect-timeout", options.connect_timeout,
                      "Give up a connection attempt after DUR")
    ->group(group);
  add_url_option(sub, "--proxy", options.proxy, "Connect through the HTTP proxy at URL",
                 [](const http::Url& proxy) {
                   return proxy.scheme == "http" ? std::string()
                                                 : std::string("only http:// proxies are supported");
                 })
    ->group(group);
  add_size_option(sub, "--max-header-size", options.max_header_size,
                  "Largest response status line and headers accepted")
    ->group(group);
}

http::Request build_request(const RequestOptions& options, const http::Url& url)
{
  http::Request request;
  request.url = url;
  for (const auto& header : options.headers) {
    const auto colon = header.find(':'); // -H checked it as it was parsed
    request.headers.emplace_back(trim(header.substr(0, colon)), trim(header.substr(colon + 1)));
  }
  if (!options.json.empty()) {
    request.body = body_from(options.json, "--json");
    if (!http::find_header(request.headers, "Content-Type")) {
      request.headers.emplace_back("Content-Type", "application/json");
    }
  } else if (!options.data.empty()) {
    request.body = body_from(options.data, "-d");
    if (!http::find_header(request.headers, "Content-Type")) {
      request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
  }
  request.method = !options.method.empty() ? options.method : request.body ? "POST" : "GET";
  if (!options.user.empty()) {
    const auto colon = options.user.find(':');
    request.basic_user = options.user.substr(0, colon);
    if (colon != std::string::npos) {
      request.basic_password = options.user.substr(colon + 1);
    }
  }
  request.bearer_token = options.bearer;
  request.tls.insecure = options.insecure;
  request.tls.ca_file = options.cacert;
  request.connect_timeout = options.connect_timeout;
  request.max_head_size = static_cast<std::size_t>(options.max_header_size);
  request.proxy = options.proxy;
  return request;
}

} // namespace cmd
