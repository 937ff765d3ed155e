#include "net/event_loop.hpp"

#include "util/error.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace net {
namespace {

[[noreturn]] void fail(const char* what)
{
  throw util::Error(util::Errc::runtime, std::string(what) + ": " + std::strerror(errno));
}

} // namespace

EventLoop::EventLoop() : m_now(Clock::now())
{
  m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
  if (m_epoll < 0) {
    fail("epoll_create1");
  }
  m_wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (m_wake < 0) {
    ::close(m_epoll);
    fail("eventfd");
  }
  add(m_wake, EPOLLIN, [this](std::uint32_t) {
    std::uint64_t count = 0;
    [[maybe_unused]] auto got = ::read(m_wake, &count, sizeof count);
    run_posted();
  });
}

EventLoop::~EventLoop()
{
  ::close(m_wake);
  ::close(m_epoll);
}

void EventLoop::add(int fd, std::uint32_t events, IoCallback callback)
{
  const std::uint32_t generation = ++m_generation;
  epoll_event event = {};
  event.events = events;
  event.data.u64 = (static_cast<std::uint64_t>(generation) << 32) | static_cast<std::uint32_t>(fd);
  if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
    fail("epoll_ctl");
  }
  m_watches[fd] = Watch{generation, std::make_shared<IoCallback>(std::move(callback))};
}

void EventLoop::modify(int fd, std::uint32_t events)
{
  const auto found = m_watches.find(fd);
  if (found == m_watches.end()) {
    return;
  }
  epoll_event event = {};
  event.events = events;
  event.data.u64 =
    (static_cast<std::uint64_t>(found->second.generation) << 32) | static_cast<std::uint32_t>(fd);
  if (::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event) != 0) {
    fail("epoll_ctl");
  }
}

void EventLoop::remove(int fd)
{
  if (m_watches.erase(fd) != 0) {
    ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
  }
}

EventLoop::TimerId EventLoop::after(std::chrono::milliseconds delay, std::function<void()> callback)
{
  const TimerId id = m_next_timer++;
  const auto due = Clock::now() + delay;
  m_timers.emplace(std::make_pair(due, id), std::move(callback));
  m_timer_due.emplace(id, due);
  return id;
}

void EventLoop::cancel(TimerId id)
{
  const auto found = m_timer_due.find(id);
  if (found != m_timer_due.end()) {
    m_timers.erase({found->second, id});
    m_timer_due.erase(found);
  }
}

void EventLoop::post(std::function<void()> work)
{
  bool wake = false;
  {
    const std::lock_guard lock(m_posted_mutex);
    m_posted.push_back(std::move(work));
    wake = !m_wake_pending;
    m_wake_pending = true;
  }
  if (wake) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto put = ::write(m_wake, &one, sizeof one);
  }
}

void EventLoop::at_end_of_round(std::function<void()> work)
{
  m_end_of_round.push_back(std::move(work));
}

void EventLoop::run_posted()
{
  std::vector<std::function<void()>> work;
  {
    const std::lock_guard lock(m_posted_mutex);
    work.swap(m_posted);
    m_wake_pending = false;
  }
  for (auto& item : work) {
    item();
  }
}

int EventLoop::next_timeout_ms() const
{
  if (!m_end_of_round.empty()) {
    return 0;
  }
  if (m_timers.empty()) {
    return -1;
  }
  const auto wait = m_timers.begin()->first.first - Clock::now();
  if (wait <= Clock::duration::zero()) {
    return 0;
  }
  // Round up, so a timer is never woken for early and spun on.
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

void EventLoop::run_due_timers()
{
  m_now = Clock::now();
  while (!m_timers.empty() && m_timers.begin()->first.first <= m_now && m_running) {
    auto node = m_timers.extract(m_timers.begin());
    m_timer_due.erase(node.key().second);
    node.mapped()();
  }
}

void EventLoop::run_or_post(std::function<void()> work)
{
  if (m_running && std::this_thread::get_id() == m_thread) {
    work();
  } else {
    post(std::move(work));
  }
}

void EventLoop::run()
{
  m_thread = std::this_thread::get_id();
  m_running = true;
  std::array<epoll_event, 256> ready{};
  while (m_running) {
    const int count = ::epoll_wait(m_epoll, ready.data(), static_cast<int>(ready.size()),
                                   next_timeout_ms());
    if (count < 0 && errno != EINTR) {
      fail("epoll_wait");
    }
    m_now = Clock::now();
    for (int i = 0; i < count && m_running; ++i) {
      const int fd = static_cast<int>(ready[i].data.u64 & 0xffffffffU);
      const auto generation = static_cast<std::uint32_t>(ready[i].data.u64 >> 32);
      const auto found = m_watches.find(fd);
      // The watch may have gone, or been replaced by a new one on a reused fd, earlier in
      // this round.
      if (found == m_watches.end() || found->second.generation != generation) {
        continue;
      }
      // A copy: the callback may remove its own watch.
      const auto callback = found->second.callback;
      (*callback)(ready[i].events);
    }
    run_due_timers();
    while (!m_end_of_round.empty()) {
      auto work = std::move(m_end_of_round);
      m_end_of_round.clear();
      for (auto& item : work) {
        item();
      }
    }
  }
}

} // namespace net
