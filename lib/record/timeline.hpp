#pragma once
// Recordings laid end to end on one clock: when each entry is due, from the first one.

#include "record/recording.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace record {

struct TimedEntry {
  Entry entry;
  std::chrono::milliseconds at{0}; ///< since the first entry played
};

struct TimelineOptions {
  /// Between two entries of input without timing (NDJSON without "t", event-stream text).
  std::chrono::milliseconds interval{0};
  /// The first and last event to play (inclusive): an event id, or else N for the Nth event.
  std::optional<std::string> from;
  std::optional<std::string> to;
};

/// RECORDINGS one after the other: a recording's own leading silence (and the reconnects of a
/// recorder that started before its server) is skipped, its gaps kept. Throws util::Error(usage)
/// about Setting::from or Setting::to when it names no event.
std::vector<TimedEntry> build_timeline(std::vector<std::vector<Entry>> recordings,
                                       const TimelineOptions& options);

} // namespace record
