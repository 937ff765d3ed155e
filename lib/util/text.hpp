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

} // namespace util
