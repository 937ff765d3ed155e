#pragma once
// One-line descriptions of responses for error messages.

#include <string>
#include <string_view>

namespace http {

/// "HTTP 404 Not Found", or without the reason when there is none.
std::string status_text(int status, std::string_view reason);

/// The start of BODY for a one-line message: control characters and runs of space folded, cut
/// at 200 bytes with "...".
std::string excerpt(std::string_view body);

/// The longest excerpt() quotes, so callers can stop collecting a body there.
inline constexpr std::size_t k_excerpt_length = 200;

} // namespace http
