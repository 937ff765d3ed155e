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
