#include "view/terminal_text.hpp"

#include "sse/utf8.hpp"

#include <cstdint>

namespace view {
namespace {

enum class Spelling { text, json_string };

void append_hex(std::string& out, std::string_view prefix, std::uint32_t value, int digits)
{
  static constexpr char k_hex[] = "0123456789abcdef";
  out.append(prefix);
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
    out.push_back(k_hex[(value >> shift) & 0xF]);
  }
}

// The controls of Unicode's bidirectional algorithm (UAX #9) that a terminal may act on:
// embeddings, overrides, isolates and the implicit marks.
bool is_bidi_control(char32_t cp)
{
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E
         || cp == 0x200F || cp == 0x061C;
}

// Whether the ASCII byte C is shown as it is.
bool plain_ascii(unsigned char c, Spelling spelling)
{
  if (spelling == Spelling::json_string) {
    return c >= 0x20 && c != 0x7F && c != '"' && c != '\\';
  }
  return (c >= 0x20 && c != 0x7F) || c == '\t';
}

void append_ascii_escape(std::string& out, unsigned char c, Spelling spelling)
{
  if (spelling == Spelling::text) {
    append_hex(out, "\\x", c, 2);
    return;
  }
  switch (c) {
  case '"':
    out += "\\\"";
    return;
  case '\\':
    out += "\\\\";
    return;
  case '\n':
    out += "\\n";
    return;
  case '\r':
    out += "\\r";
    return;
  case '\t':
    out += "\\t";
    return;
  default:
    append_hex(out, "\\u", c, 4);
    return;
  }
}

void append_safe(std::string& out, std::string_view text, Spelling spelling)
{
  std::size_t run = 0; // start of the bytes not yet copied
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!plain_ascii(c, spelling)) {
        out.append(text, run, i - run);
        append_ascii_escape(out, c, spelling);
        run = i + 1;
      }
      ++i;
      continue;
    }
    const sse::Utf8Sequence sequence = sse::utf8_sequence_at(text, i);
    const char32_t cp = sequence.code_point;
    if (sequence.valid && cp > 0x9F && !is_bidi_control(cp)) {
      i += sequence.length;
      continue;
    }
    out.append(text, run, i - run);
    if (sequence.valid) {
      append_hex(out, "\\u", cp, 4);
    } else {
      for (std::size_t k = 0; k < sequence.length; ++k) {
        append_hex(out, "\\x", static_cast<unsigned char>(text[i + k]), 2);
      }
    }
    i += sequence.length;
    run = i;
  }
  out.append(text, run, text.size() - run);
}

} // namespace

void append_terminal_text(std::string& out, std::string_view text)
{
  append_safe(out, text, Spelling::text);
}

void append_terminal_json_string(std::string& out, std::string_view text)
{
  out.push_back('"');
  append_safe(out, text, Spelling::json_string);
  out.push_back('"');
}

} // namespace view
