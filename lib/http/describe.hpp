#pragma once
// One-line descriptions of responses for error messages.

#include <chrono>
#include <string>
#include <string_view>

namespace http {

/// "HTTP 404 Not Found", or without the reason when there is none.
std::string status_text(int status, std::string_view reason);

/// The start of BODY for a one-line message: control characters and runs of space folded, cut
/// at 200 bytes with "...".
std::string excerpt(std::string_view body);

/// A duration as the options spell it: "15s" for whole seconds, else "500ms".
std::string describe_duration(std::chrono::milliseconds duration);

/// The longest excerpt() quotes, so callers can stop collecting a body there.
inline constexpr std::size_t k_excerpt_length = 200;

} // namespace http
