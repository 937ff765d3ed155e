#include "http/request_check.hpp"

#include "util/error.hpp"

#include <cstdio>

namespace http {
namespace {

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" /
// "_" / "`" / "|" / "~" / DIGIT / ALPHA
bool is_tchar(char c)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string hex(char c)
{
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", static_cast<unsigned char>(c));
  return text;
}

} // namespace

std::string token_problem(std::string_view text)
{
  if (text.empty()) {
    return "is empty";
  }
  for (const char c : text) {
    if (is_tchar(c)) {
      continue;
    }
    if (c == '\r' || c == '\n') {
      return "contains a line break (CR or LF)";
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) {
      return "contains the byte " + hex(c);
    }
    return "contains '" + std::string(1, c) + "'";
  }
  return {};
}

std::string value_problem(std::string_view text)
{
  for (const char c : text) {
    if (c == '\r' || c == '\n') {
      return "contains a line break (CR or LF)";
    }
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) {
      return "contains a control character (" + hex(c) + ")";
    }
  }
  return {};
}

std::string request_problem(const Request& request)
{
  if (auto problem = token_problem(request.method); !problem.empty()) {
    return "the method " + problem;
  }
  for (const auto& [name, value] : request.headers) {
    if (auto problem = token_problem(name); !problem.empty()) {
      return "a header name " + problem;
    }
    if (auto problem = value_problem(value); !problem.empty()) {
      return "the value of header '" + name + "' " + problem;
    }
  }
  for (const auto& [what, text] : {std::pair<const char*, const std::string&>{"user name", request.basic_user},
                                   {"password", request.basic_password},
                                   {"bearer token", request.bearer_token}}) {
    if (auto problem = value_problem(text); !problem.empty()) {
      return std::string("the ") + what + " " + problem;
    }
  }
  if (request.basic_user.find(':') != std::string::npos) {
    return "the user name contains ':'";
  }
  if (auto problem = value_problem(request.url.host); !problem.empty()) {
    return "the host " + problem;
  }
  if (auto problem = value_problem(request.url.target); !problem.empty() || request.url.target.find(' ') != std::string::npos) {
    return "the request target " + (problem.empty() ? std::string("contains a space") : problem);
  }
  return {};
}

void throw_if_unrecoverable(const TransferResult& result, const std::string& url)
{
  if (result.outcome == TransferResult::Outcome::invalid_request) {
    throw util::Error(util::Errc::usage, "cannot send the request: " + result.message, url);
  }
  if (result.outcome == TransferResult::Outcome::bad_response) {
    throw util::Error(util::Errc::bad_input, result.message, url);
  }
}

} // namespace http
