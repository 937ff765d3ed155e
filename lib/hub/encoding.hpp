#pragma once
// Event-stream text as `sse serve` writes it, in the framing the options ask for.

#include "sse/event.hpp"

#include <string>
#include <string_view>

namespace hub {

/// EVENT's lines and the blank line that dispatches it, always with its `id:` line when it
/// has an id (a client may have joined after an event with the same id), ending lines with EOL.
std::string encode_event(const sse::Event& event, std::string_view eol);
/// A comment line per line of TEXT, then a blank line (so a client's parser idles cleanly).
std::string encode_comment(std::string_view text, std::string_view eol);
/// `retry: MS` and a blank line.
std::string encode_retry(std::uint64_t ms, std::string_view eol);

} // namespace hub
