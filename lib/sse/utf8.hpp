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

} // namespace sse
