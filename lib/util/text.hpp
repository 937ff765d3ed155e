#pragma once
// Small text helpers shared across the library.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace util {

/// TEXT with ASCII letters in lower case (for case-insensitive protocol tokens).
inline std::string to_lower(std::string_view text)
{
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// TEXT without the spaces and tabs around it (RFC 9110 §5.6.3: OWS is nothing else).
inline std::string_view trim_ows(std::string_view text)
{
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

/// The value of the hexadecimal digit C, or -1.
inline int hex_value(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

} // namespace util
