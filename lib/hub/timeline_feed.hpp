#pragma once
// `sse serve --replay FILE --shared`: one timeline for every client. Entries are published to
// the broadcast at their times, on the loop; the end of the timeline is the end of the source.

#include "hub/broadcast.hpp"
#include "net/event_loop.hpp"
#include "record/timeline.hpp"

#include <functional>
#include <vector>

namespace hub {

class TimelineFeed {
public:
  TimelineFeed(net::EventLoop& loop, Broadcast& broadcast, std::vector<record::TimedEntry> timeline,
               std::function<void()> on_end);
  ~TimelineFeed();
  TimelineFeed(const TimelineFeed&) = delete;
  TimelineFeed& operator=(const TimelineFeed&) = delete;

  void start();

private:
  void play();

  net::EventLoop& m_loop;
  Broadcast& m_broadcast;
  std::vector<record::TimedEntry> m_timeline;
  std::function<void()> m_on_end;
  std::size_t m_next = 0;
  net::EventLoop::Clock::time_point m_start;
  net::EventLoop::TimerId m_timer = 0;
};

} // namespace hub
