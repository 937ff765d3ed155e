#pragma once
// The recording format (DESIGN.md §7): NDJSON, one event object per line plus "t", the
// milliseconds since the recording started, and {"reconnect": true, "t": MS} where the
// recorder's connection was lost and made again. Replays also take NDJSON without "t" and
// plain event-stream text, which carry no timing.

#include "sse/event.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace record {

struct Entry {
  enum class Kind { event, comment, reconnect };
  Kind kind = Kind::event;
  sse::Event event;           ///< event
  std::string comment;        ///< comment
  std::optional<std::uint64_t> t; ///< ms since the start; none in untimed input
};

/// Appends EVENT as one recording line (with its newline), at T ms.
void append_event(std::string& out, const sse::EventView& event, std::uint64_t t);
/// Appends a reconnect marker line at T ms.
void append_reconnect(std::string& out, std::uint64_t t);

/// Called for a line skipped with keep_going: the error, and where ("FILE:LINE").
using SkipHandler = std::function<void(const std::string& what, const std::string& where)>;

/// Reads a whole recording (or event-stream text, told apart by its first character) named NAME.
/// A bad line (not JSON, not an event, "t" going backwards, a truncated last line) throws
/// util::Error(bad_input) naming NAME:LINE, or with ON_SKIP set is reported there and skipped.
std::vector<Entry> read_recording(std::string_view text, const std::string& name,
                                  const SkipHandler& on_skip = {});

} // namespace record
