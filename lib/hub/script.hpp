#pragma once
// A scripted stream: what `sse serve --script FILE` (and the built-in demo) plays to each
// client, one step at a time, events and faults alike.

#include "record/timeline.hpp"
#include "sse/event.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub {

struct Step {
  enum class Kind {
    event,   ///< an event (with an id: the script's, or its number among the events)
    comment, ///< a comment line
    retry,   ///< a `retry:` field alone
    raw,     ///< bytes sent exactly as given
    drop,    ///< close the connection without ending the response
    stall,   ///< go silent (no heartbeats either) for `duration`
    status,  ///< answer the next connection with `status` (and Retry-After)
  };
  Kind kind = Kind::event;
  std::chrono::milliseconds delay{0}; ///< waited before the step
  sse::Event event;                   ///< event
  std::string text;                   ///< comment text, raw bytes, status body
  std::uint64_t retry_ms = 0;         ///< retry
  std::chrono::milliseconds duration{0}; ///< stall
  int status = 0;                     ///< status
  std::optional<std::uint64_t> retry_after; ///< status: seconds for Retry-After
};

/// The steps of an NDJSON script; events without an id get their number among the events.
/// Throws util::Error(bad_input) naming NAME:LINE for a line that is not a step.
std::vector<Step> parse_script(std::string_view text, const std::string& name);

/// One step from one NDJSON line (without the id numbering).
Step parse_step(std::string_view line);

/// A recording as a script: each entry waits for its time, a reconnect marker drops the
/// connection (the client resumes by id), events without an id are numbered.
std::vector<Step> steps_from_timeline(const std::vector<record::TimedEntry>& timeline);

} // namespace hub
