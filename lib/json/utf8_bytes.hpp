#pragma once
// The UTF-8 the JSON reader checks and writes in strings. Header-inline: the reader calls these
// for every non-ASCII character and every \u escape, and they must stay inlined there.

#include <cstddef>
#include <string>

namespace json {

/// The length of the valid UTF-8 sequence at P (a lead byte of 0x80 or more) that ends by END,
/// or 0 when it is invalid: no overlong forms, no surrogates, nothing above U+10FFFF.
inline std::size_t utf8_length(const char* p, const char* end)
{
  const auto* s = reinterpret_cast<const unsigned char*>(p);
  const auto left = static_cast<std::size_t>(end - p);
  auto cont = [&](std::size_t i) { return i < left && (s[i] & 0xC0) == 0x80; };
  const unsigned char c = s[0];
  if (c >= 0xC2 && c <= 0xDF) {
    return cont(1) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 2) {
      return 0;
    }
    // No overlong forms (E0 80..9F) and no surrogates (ED A0..BF).
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F)) {
      return 0;
    }
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 2) {
      return 0;
    }
    if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F)) {
      return 0;
    }
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
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
