#pragma once
// The UTF-8 the JSON reader checks (by lib/sse's rules) and writes in strings. Header-inline:
// the reader calls these for every non-ASCII character and every \u escape, and they must stay
// inlined there.

#include "sse/utf8.hpp"

#include <cstddef>
#include <string>

namespace json {

/// The length of the valid UTF-8 sequence at P (a lead byte of 0x80 or more) that ends by END,
/// or 0 when it is invalid: sse::utf8_subpart_length's rules, the one statement of them.
inline std::size_t utf8_length(const char* p, const char* end)
{
  const int length = sse::utf8_subpart_length(reinterpret_cast<const unsigned char*>(p), 0,
                                               static_cast<std::size_t>(end - p));
  return length > 0 ? static_cast<std::size_t>(length) : 0;
}

/// Appends the code point CP (at most U+10FFFF, not a surrogate) as UTF-8.
inline void append_code_point(std::string& out, unsigned cp)
{
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

} // namespace json
