#include "hub/timeline_feed.hpp"

namespace hub {

TimelineFeed::TimelineFeed(net::EventLoop& loop, Broadcast& broadcast,
                           std::vector<record::TimedEntry> timeline, std::function<void()> on_end)
  : m_loop(loop), m_broadcast(broadcast), m_timeline(std::move(timeline)),
    m_on_end(std::move(on_end))
{
}

TimelineFeed::~TimelineFeed()
{
  m_loop.cancel(m_timer);
}

void TimelineFeed::start()
{
  m_start = net::EventLoop::Clock::now();
  play();
}

void TimelineFeed::play()
{
  m_timer = 0;
  while (m_next < m_timeline.size()) {
    const auto& item = m_timeline[m_next];
    // Due times count from the start, not from the previous entry, so delays do not add up.
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(
      m_start + item.at - net::EventLoop::Clock::now());
    if (wait.count() > 0) {
      m_timer = m_loop.after(wait, [this]() { play(); });
      return;
    }
    ++m_next;
    switch (item.entry.kind) {
    case record::Entry::Kind::event:
      m_broadcast.publish(item.entry.event);
      break;
    case record::Entry::Kind::comment:
      m_broadcast.publish_comment(item.entry.comment);
      break;
    case record::Entry::Kind::reconnect:
      break; // one timeline for all: nobody's connection is dropped
    }
  }
  m_on_end();
}

} // namespace hub
