#include "hub/encoding.hpp"

#include "sse/formatter.hpp"

namespace hub {
namespace {

/// The formatter ends lines with LF only and splits data at CR and LF, so replacing each LF
/// changes nothing but the line endings.
std::string with_eol(std::string text, std::string_view eol)
{
  if (eol == "\n") {
    return text;
  }
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    if (c == '\n') {
      out += eol;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

} // namespace

std::string encode_event(const sse::Event& event, std::string_view eol)
{
  std::string out;
  sse::Formatter formatter; // fresh: it writes the id line whenever the event has an id
  formatter.append(out, event.view());
  return with_eol(std::move(out), eol);
}

std::string encode_comment(std::string_view text, std::string_view eol)
{
  std::string out;
  while (true) {
    const auto end = text.find_first_of("\r\n");
    out += ": ";
    out += text.substr(0, end);
    out += eol;
    if (end == std::string_view::npos) {
      break;
    }
    text.remove_prefix(end + (text.substr(end, 2) == "\r\n" ? 2 : 1));
  }
  out += eol;
  return out;
}

std::string encode_retry(std::uint64_t ms, std::string_view eol)
{
  return "retry: " + std::to_string(ms) + std::string(eol) + std::string(eol);
}

} // namespace hub
