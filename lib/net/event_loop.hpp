#pragma once
// A single-threaded epoll loop: file descriptors, timers, and work posted from other threads.
// Servers run every connection on one thread so that a broadcast touches no lock per client.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net {

class EventLoop {
public:
  using Clock = std::chrono::steady_clock;
  using IoCallback = std::function<void(std::uint32_t events)>;
  using TimerId = std::uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Watches FD for EVENTS (EPOLLIN, EPOLLOUT, ...); CALLBACK runs on the loop thread. The loop
  /// does not own FD: remove() it before closing it.
  void add(int fd, std::uint32_t events, IoCallback callback);
  void modify(int fd, std::uint32_t events);
  void remove(int fd);

  /// Runs CALLBACK once, DELAY from now. Cancelling a timer that ran already is harmless.
  TimerId after(std::chrono::milliseconds delay, std::function<void()> callback);
  void cancel(TimerId id);

  /// Runs WORK on the loop thread soon; the only call that is safe from other threads.
  void post(std::function<void()> work);
  /// Runs WORK on the loop thread once the current round of events (and its due timers) has
  /// been handled; each call queues WORK once. This is where buffered output gets written.
  void at_end_of_round(std::function<void()> work);

  /// Runs WORK now when called on the loop thread (a store that finished at once), else posts it.
  void run_or_post(std::function<void()> work);

  /// Handles events until stop().
  void run();
  void stop() { m_running = false; }

  Clock::time_point now() const { return m_now; }

private:
  struct Watch {
    std::uint32_t generation;
    std::shared_ptr<IoCallback> callback; ///< shared, so dispatch can hold it cheaply
  };

  int next_timeout_ms() const;
  void run_due_timers();
  void run_posted();

  int m_epoll = -1;
  int m_wake = -1; ///< an eventfd that post() writes to wake the loop
  bool m_running = false;
  Clock::time_point m_now;
  std::uint32_t m_generation = 0;
  std::unordered_map<int, Watch> m_watches;
  TimerId m_next_timer = 1;
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> m_timers;
  std::unordered_map<TimerId, Clock::time_point> m_timer_due;
  std::vector<std::function<void()>> m_end_of_round;

  std::mutex m_posted_mutex;
  std::vector<std::function<void()>> m_posted;
  bool m_wake_pending = false;
  std::thread::id m_thread; ///< the thread in run()
};

} // namespace net
