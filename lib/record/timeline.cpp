#include "record/timeline.hpp"

#include "util/error.hpp"

#include <charconv>

namespace record {
namespace {

/// The index in TIMELINE of the event named by WHICH, searching from START: the first event
/// with that id, or else the Nth event overall. SETTING (from, to) is the one WHICH is the value
/// of, which a failure is about.
std::size_t find_event(const std::vector<TimedEntry>& timeline, const std::string& which,
                       std::size_t start, util::Setting setting)
{
  for (std::size_t i = start; i < timeline.size(); ++i) {
    if (timeline[i].entry.kind == Entry::Kind::event && timeline[i].entry.event.id == which) {
      return i;
    }
  }
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(which.data(), which.data() + which.size(), number);
  if (error == std::errc() && end == which.data() + which.size() && number > 0) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < timeline.size(); ++i) {
      if (timeline[i].entry.kind == Entry::Kind::event && ++seen == number) {
        if (i < start) {
          break;
        }
        return i;
      }
    }
  }
  // Searched from START only after the first event chosen: the note says so.
  throw util::Error(util::Errc::usage,
                    which + ": no event has this id, nor is there an event number " + which, {},
                    {start > 0 ? util::Setting::from : util::Setting::none})
    .about(setting);
}

} // namespace

std::vector<TimedEntry> build_timeline(std::vector<std::vector<Entry>> recordings,
                                       const TimelineOptions& options)
{
  std::vector<TimedEntry> timeline;
  std::chrono::milliseconds offset{0};
  for (auto& recording : recordings) {
    std::optional<std::uint64_t> first_t;
    std::chrono::milliseconds at = offset;
    bool any = false;
    for (auto& entry : recording) {
      // Reconnects before the first event are a recorder started before its server: no
      // gap, and nothing to drop a client for.
      if (!any && entry.kind == Entry::Kind::reconnect) {
        continue;
      }
      if (entry.t) {
        if (!first_t) {
          first_t = entry.t;
        }
        at = offset + std::chrono::milliseconds(*entry.t - *first_t);
      } else if (any) {
        // Untimed: one interval after the entry before, whatever its time was.
        at += options.interval;
      }
      any = true;
      timeline.push_back(TimedEntry{std::move(entry), at});
    }
    if (any) {
      offset = at + (first_t ? std::chrono::milliseconds(0) : options.interval);
    }
  }

  std::size_t begin = 0;
  std::size_t end = timeline.size();
  if (options.from) {
    begin = find_event(timeline, *options.from, 0, util::Setting::from);
  }
  if (options.to) {
    end = find_event(timeline, *options.to, begin, util::Setting::to) + 1;
  }
  std::vector<TimedEntry> chosen(std::make_move_iterator(timeline.begin() + begin),
                                 std::make_move_iterator(timeline.begin() + end));
  if (!chosen.empty()) {
    const auto start = chosen.front().at;
    for (auto& entry : chosen) {
      entry.at -= start;
    }
  }
  return chosen;
}

} // namespace record
