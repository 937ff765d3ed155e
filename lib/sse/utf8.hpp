#pragma once
// UTF-8 decoding as the WHATWG Encoding standard's decoder does it, producing UTF-8 again.

#include <cstddef>
#include <string>
#include <string_view>

namespace sse {

/// Appends BYTES to OUT with every maximal invalid subpart replaced by one U+FFFD, exactly as
/// a browser's TextDecoder would; BYTES is taken to end where the stream ends (a truncated
/// sequence at the end becomes one U+FFFD).
void append_utf8(std::string& out, std::string_view bytes);

/// Whether BYTES is valid UTF-8, in which case append_utf8 would copy it unchanged.
bool is_valid_utf8(std::string_view bytes);

/// One step of the decoder: a code point and the bytes it took, or (valid false) the maximal
/// invalid subpart that append_utf8 would replace by one U+FFFD.
struct Utf8Sequence {
  char32_t code_point; ///< U+FFFD when not valid
  std::size_t length;  ///< at least 1
  bool valid;
};

/// The sequence that starts at BYTES[AT], which must be inside BYTES.
Utf8Sequence utf8_sequence_at(std::string_view bytes, std::size_t at);

/// The length of the valid sequence starting at P[I] (a non-ASCII byte) and ending by SIZE, or
/// the negated length of the maximal invalid subpart there (at least one byte), per the WHATWG
/// UTF-8 decoder: no overlong forms, no surrogates, nothing above U+10FFFF. The one statement
/// of what valid UTF-8 is, for the decoder here and the JSON reader; header-inline because
/// both call it for every non-ASCII character.
inline int utf8_subpart_length(const unsigned char* p, std::size_t i, std::size_t size)
{
  const unsigned char lead = p[i];
  int needed = 0;
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    needed = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    needed = 2;
    lower = lead == 0xE0 ? 0xA0 : 0x80;
    upper = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    needed = 3;
    lower = lead == 0xF0 ? 0x90 : 0x80;
    upper = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return -1;
  }
  for (int seen = 0; seen < needed; ++seen) {
    const std::size_t at = i + 1 + static_cast<std::size_t>(seen);
    if (at >= size || p[at] < lower || p[at] > upper) {
      // The offending byte is not consumed: it starts the next decoding step.
      return -(seen + 1);
    }
    lower = 0x80;
    upper = 0xBF;
  }
  return needed + 1;
}


} // namespace sse
