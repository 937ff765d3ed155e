#pragma once
// UTF-8 decoding as the WHATWG Encoding standard's decoder does it, producing UTF-8 again.

#include <string>
#include <string_view>

namespace sse {

/// Appends BYTES to OUT with every maximal invalid subpart replaced by one U+FFFD, exactly as
/// a browser's TextDecoder would; BYTES is taken to end where the stream ends (a truncated
/// sequence at the end becomes one U+FFFD).
void append_utf8(std::string& out, std::string_view bytes);

/// Whether BYTES is valid UTF-8, in which case append_utf8 would copy it unchanged.
bool is_valid_utf8(std::string_view bytes);

} // namespace sse
