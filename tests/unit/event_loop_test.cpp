// net::EventLoop run on the test thread: timers in order and cancelled (also from inside
// another timer), work posted from other threads, end-of-round work, watches removed while a
// round still holds their events, and stop(). Every run has a watchdog timer, so a loop that
// would never stop fails the test instead of hanging it.

#include "net/event_loop.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto k_patience = 10s; ///< how long a test waits for what should come at once

/// Runs LOOP until something stops it; fails the test if that takes longer than k_patience.
void run_with_watchdog(net::EventLoop& loop)
{
  bool fired = false;
  const auto watchdog = loop.after(std::chrono::duration_cast<std::chrono::milliseconds>(k_patience),
                                   [&]() {
                                     fired = true;
                                     loop.stop();
                                   });
  loop.run();
  loop.cancel(watchdog);
  EXPECT_FALSE(fired) << "the loop did not stop by itself within " << k_patience.count() << "s";
}

/// A pipe whose ends are closed at the end of the test.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe()
  {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe()
  {
    close_read();
    if (write_end >= 0) {
      ::close(write_end);
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void put(char c = 'x') const { ASSERT_EQ(::write(write_end, &c, 1), 1); }
  void drain() const
  {
    char buffer[64];
    while (::read(read_end, buffer, sizeof buffer) > 0) {
    }
  }
  void close_read()
  {
    if (read_end >= 0) {
      ::close(read_end);
      read_end = -1;
    }
  }
};

// --- timers ------------------------------------------------------------------------------------

TEST(EventLoop, TimersFireInOrderOfTheirDueTime)
{
  net::EventLoop loop;
  std::vector<std::string> fired;
  loop.after(30ms, [&]() {
    fired.push_back("30ms");
    loop.stop();
  });
  loop.after(10ms, [&]() { fired.push_back("10ms"); });
  loop.after(20ms, [&]() { fired.push_back("20ms"); });
  loop.after(0ms, [&]() { fired.push_back("0ms-a"); });
  loop.after(0ms, [&]() { fired.push_back("0ms-b"); });
  const auto start = Clock::now();
  run_with_watchdog(loop);
  EXPECT_GE(Clock::now() - start, 30ms);
  EXPECT_EQ(fired, (std::vector<std::string>{"0ms-a", "0ms-b", "10ms", "20ms", "30ms"}));
}

TEST(EventLoop, ATimerNeverFiresEarly)
{
  net::EventLoop loop;
  Clock::time_point fired_at;
  const auto start = Clock::now();
  loop.after(25ms, [&]() {
    fired_at = Clock::now();
    loop.stop();
  });
  run_with_watchdog(loop);
  EXPECT_GE(fired_at - start, 25ms);
  EXPECT_GE(loop.now(), start + 25ms) << "now() is the time of the round";
}

TEST(EventLoop, TimersAddedByATimerRun)
{
  net::EventLoop loop;
  std::vector<int> fired;
  loop.after(0ms, [&]() {
    fired.push_back(1);
    loop.after(5ms, [&]() {
      fired.push_back(2);
      loop.after(0ms, [&]() {
        fired.push_back(3);
        loop.stop();
      });
    });
  });
  run_with_watchdog(loop);
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoop, CancelledTimersDoNotFire)
{
  net::EventLoop loop;
  std::vector<std::string> fired;
  const auto cancelled = loop.after(5ms, [&]() { fired.push_back("cancelled"); });
  const auto ran = loop.after(0ms, [&]() { fired.push_back("ran"); });
  loop.after(20ms, [&]() {
    fired.push_back("last");
    loop.stop();
  });
  loop.cancel(cancelled);
  run_with_watchdog(loop);
  EXPECT_EQ(fired, (std::vector<std::string>{"ran", "last"}));
  // Cancelling a timer that ran, one cancelled already, or one that never was is harmless.
  loop.cancel(ran);
  loop.cancel(cancelled);
  loop.cancel(0);
  loop.cancel(123456);
}

TEST(EventLoop, ATimerCancelsAnotherDueInTheSameRound)
{
  net::EventLoop loop;
  std::vector<std::string> fired;
  net::EventLoop::TimerId second = 0;
  net::EventLoop::TimerId first = 0;
  // Both are due when the loop starts, so one pass over the due timers meets both.
  first = loop.after(0ms, [&]() {
    fired.push_back("first");
    loop.cancel(second);
    loop.cancel(first); // itself, while it runs: harmless
  });
  second = loop.after(0ms, [&]() { fired.push_back("second"); });
  loop.after(0ms, [&]() { fired.push_back("third"); });
  loop.after(15ms, [&]() { loop.stop(); }); // time for a wrongly kept timer to fire
  run_with_watchdog(loop);
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "third"}));
}

TEST(EventLoop, ATimerCancelsALaterOne)
{
  net::EventLoop loop;
  std::vector<std::string> fired;
  net::EventLoop::TimerId later = 0;
  loop.after(1ms, [&]() {
    fired.push_back("early");
    loop.cancel(later);
  });
  later = loop.after(10ms, [&]() { fired.push_back("later"); });
  loop.after(30ms, [&]() { loop.stop(); });
  run_with_watchdog(loop);
  EXPECT_EQ(fired, (std::vector<std::string>{"early"}));
}

// --- post --------------------------------------------------------------------------------------

TEST(EventLoop, PostFromAnotherThreadWakesTheLoop)
{
  net::EventLoop loop;
  std::atomic<bool> ran_on_loop_thread = false;
  const auto loop_thread = std::this_thread::get_id();
  // The thread starts once the loop runs; then nothing is scheduled but the watchdog, so
  // only the post can wake the loop up.
  std::thread other;
  loop.after(0ms, [&]() {
    other = std::thread([&]() {
      loop.post([&]() {
        ran_on_loop_thread = std::this_thread::get_id() == loop_thread;
        loop.stop();
      });
    });
  });
  const auto start = Clock::now();
  run_with_watchdog(loop);
  other.join();
  EXPECT_TRUE(ran_on_loop_thread);
  EXPECT_LT(Clock::now() - start, k_patience / 2);
}

TEST(EventLoop, EveryPostRunsOnceInOrderPerThread)
{
  net::EventLoop loop;
  constexpr int k_threads = 4;
  constexpr int k_posts = 500;
  std::vector<std::vector<int>> seen(k_threads);
  int total = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t]() {
      for (int i = 0; i < k_posts; ++i) {
        loop.post([&, t, i]() {
          seen[static_cast<std::size_t>(t)].push_back(i);
          if (++total == k_threads * k_posts) {
            loop.stop();
          }
        });
      }
    });
  }
  run_with_watchdog(loop);
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(total, k_threads * k_posts);
  for (int t = 0; t < k_threads; ++t) {
    ASSERT_EQ(seen[static_cast<std::size_t>(t)].size(), static_cast<std::size_t>(k_posts));
    for (int i = 0; i < k_posts; ++i) {
      EXPECT_EQ(seen[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)], i);
    }
  }
}

TEST(EventLoop, PostBeforeRunIsNotLost)
{
  net::EventLoop loop;
  bool ran = false;
  loop.post([&]() {
    ran = true;
    loop.stop();
  });
  run_with_watchdog(loop);
  EXPECT_TRUE(ran);
}

TEST(EventLoop, WorkPostedByPostedWorkRuns)
{
  net::EventLoop loop;
  std::vector<int> order;
  loop.post([&]() {
    order.push_back(1);
    loop.post([&]() {
      order.push_back(2);
      loop.stop();
    });
  });
  run_with_watchdog(loop);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

// --- end of round ------------------------------------------------------------------------------

TEST(EventLoop, EndOfRoundWorkRunsOnceAfterTheRound)
{
  net::EventLoop loop;
  Pipe a;
  Pipe b;
  std::vector<std::string> log;
  int ends_seen = 0;
  auto on_ready = [&](Pipe& pipe, const char* name) {
    return [&, name](std::uint32_t) {
      pipe.drain();
      log.push_back(name);
      loop.at_end_of_round([&, name]() {
        log.push_back(std::string("end after ") + name);
        if (++ends_seen == 2) {
          // Work asked for by end-of-round work runs in the same round, before any wait.
          loop.at_end_of_round([&]() { log.push_back("nested end"); });
        }
      });
    };
  };
  loop.add(a.read_end, EPOLLIN, on_ready(a, "a"));
  loop.add(b.read_end, EPOLLIN, on_ready(b, "b"));
  a.put();
  b.put();
  loop.after(0ms, [&]() { log.push_back("timer"); });
  // The second round: nothing more is ready, so a later timer ends the test; the end-of-round
  // work of the first round must not run again.
  loop.after(20ms, [&]() {
    log.push_back("stop");
    loop.stop();
  });
  run_with_watchdog(loop);
  loop.remove(a.read_end);
  loop.remove(b.read_end);
  ASSERT_EQ(log.size(), 7U) << ::testing::PrintToString(log);
  // Both fds were ready in the first round; their order is epoll's.
  EXPECT_TRUE((log[0] == "a" && log[1] == "b") || (log[0] == "b" && log[1] == "a"));
  EXPECT_EQ(log[2], "timer");
  EXPECT_EQ(log[3], "end after " + log[0]);
  EXPECT_EQ(log[4], "end after " + log[1]);
  EXPECT_EQ(log[5], "nested end");
  EXPECT_EQ(log[6], "stop");
}

TEST(EventLoop, EndOfRoundWorkFromATimerOrAPost)
{
  net::EventLoop loop;
  std::vector<std::string> log;
  loop.after(0ms, [&]() {
    loop.at_end_of_round([&]() { log.push_back("end (timer)"); });
    log.push_back("timer");
  });
  loop.after(10ms, [&]() {
    std::thread([&]() {
      loop.post([&]() {
        loop.at_end_of_round([&]() {
          log.push_back("end (post)");
          loop.stop();
        });
        log.push_back("post");
      });
    }).join();
  });
  run_with_watchdog(loop);
  EXPECT_EQ(log, (std::vector<std::string>{"timer", "end (timer)", "post", "end (post)"}));
}

// --- watches -----------------------------------------------------------------------------------

TEST(EventLoop, ReadableFdsCallBackWithTheirEvents)
{
  net::EventLoop loop;
  Pipe pipe;
  std::uint32_t got = 0;
  int calls = 0;
  loop.add(pipe.read_end, EPOLLIN, [&](std::uint32_t events) {
    got = events;
    ++calls;
    pipe.drain();
    loop.stop();
  });
  std::thread writer([&]() { pipe.put(); });
  run_with_watchdog(loop);
  writer.join();
  loop.remove(pipe.read_end);
  EXPECT_EQ(calls, 1);
  EXPECT_NE(got & EPOLLIN, 0U);
}

TEST(EventLoop, ModifyChangesTheEventsWatched)
{
  net::EventLoop loop;
  Pipe pipe;
  std::vector<std::string> log;
  // The write end is always writable: watched for nothing first, then for EPOLLOUT.
  loop.add(pipe.write_end, 0, [&](std::uint32_t events) {
    log.push_back((events & EPOLLOUT) != 0 ? "writable" : "other");
    loop.modify(pipe.write_end, 0);
    loop.stop();
  });
  loop.after(10ms, [&]() {
    log.push_back("modify");
    loop.modify(pipe.write_end, EPOLLOUT);
  });
  run_with_watchdog(loop);
  loop.remove(pipe.write_end);
  EXPECT_EQ(log, (std::vector<std::string>{"modify", "writable"}));
  loop.modify(pipe.write_end, EPOLLOUT); // not watched any more: ignored
}

TEST(EventLoop, RemoveInsideACallbackSkipsTheRemovedFdsPendingEvent)
{
  net::EventLoop loop;
  Pipe a;
  Pipe b;
  std::vector<std::string> called;
  // Both are ready in the same round; whichever runs first removes the other.
  loop.add(a.read_end, EPOLLIN, [&](std::uint32_t) {
    called.push_back("a");
    a.drain();
    loop.remove(b.read_end);
    loop.at_end_of_round([&]() { loop.stop(); });
  });
  loop.add(b.read_end, EPOLLIN, [&](std::uint32_t) {
    called.push_back("b");
    b.drain();
    loop.remove(a.read_end);
    loop.at_end_of_round([&]() { loop.stop(); });
  });
  a.put();
  b.put();
  run_with_watchdog(loop);
  ASSERT_EQ(called.size(), 1U) << ::testing::PrintToString(called);
  loop.remove(a.read_end);
  loop.remove(b.read_end);
}

TEST(EventLoop, ACallbackMayRemoveItself)
{
  net::EventLoop loop;
  Pipe pipe;
  int calls = 0;
  loop.add(pipe.read_end, EPOLLIN, [&](std::uint32_t) {
    ++calls;
    loop.remove(pipe.read_end); // destroys this very callback's watch; the pipe stays readable
  });
  pipe.put();
  loop.after(20ms, [&]() { loop.stop(); });
  run_with_watchdog(loop);
  EXPECT_EQ(calls, 1);
}

TEST(EventLoop, AStaleEventDoesNotReachANewWatchOnTheSameFdNumber)
{
  net::EventLoop loop;
  Pipe a;
  Pipe b;
  Pipe replacement; // empty: never readable
  std::vector<std::string> called;
  // Whichever of A and B runs first removes the other, closes its fd and puts another file
  // under that number, watched anew: the old event still in this round's list must not be
  // delivered to the new watch.
  auto replace = [&](Pipe& other) {
    const int number = other.read_end;
    loop.remove(number);
    ASSERT_EQ(::dup2(replacement.read_end, number), number);
    loop.add(number, EPOLLIN, [&](std::uint32_t) { called.push_back("replacement"); });
    loop.at_end_of_round([&]() { loop.stop(); });
  };
  loop.add(a.read_end, EPOLLIN, [&](std::uint32_t) {
    called.push_back("a");
    a.drain();
    replace(b);
  });
  loop.add(b.read_end, EPOLLIN, [&](std::uint32_t) {
    called.push_back("b");
    b.drain();
    replace(a);
  });
  a.put();
  b.put();
  run_with_watchdog(loop);
  EXPECT_EQ(called.size(), 1U) << ::testing::PrintToString(called);
  loop.remove(a.read_end);
  loop.remove(b.read_end);
}

TEST(EventLoop, AnEventfdWakesItsWatch)
{
  net::EventLoop loop;
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::uint64_t got = 0;
  loop.add(fd, EPOLLIN, [&](std::uint32_t) {
    ASSERT_EQ(::read(fd, &got, sizeof got), static_cast<ssize_t>(sizeof got));
    loop.stop();
  });
  std::thread writer([fd]() {
    const std::uint64_t three = 3;
    EXPECT_EQ(::write(fd, &three, sizeof three), static_cast<ssize_t>(sizeof three));
  });
  run_with_watchdog(loop);
  writer.join();
  loop.remove(fd);
  ::close(fd);
  EXPECT_EQ(got, 3U);
}

// --- stop --------------------------------------------------------------------------------------

TEST(EventLoop, StopEndsRunAndLaterRunGoesOn)
{
  net::EventLoop loop;
  std::vector<std::string> fired;
  loop.after(0ms, [&]() {
    fired.push_back("first");
    loop.stop();
  });
  loop.after(0ms, [&]() {
    fired.push_back("second");
    loop.stop();
  });
  run_with_watchdog(loop);
  EXPECT_EQ(fired, (std::vector<std::string>{"first"})) << "stop() ends the round's timers too";
  run_with_watchdog(loop);
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "second"})) << "nothing was lost";
}

TEST(EventLoop, StopInACallbackSkipsTheRestOfTheRound)
{
  net::EventLoop loop;
  Pipe a;
  Pipe b;
  int calls = 0;
  auto callback = [&](Pipe& pipe) {
    return [&](std::uint32_t) {
      ++calls;
      pipe.drain();
      loop.stop();
    };
  };
  loop.add(a.read_end, EPOLLIN, callback(a));
  loop.add(b.read_end, EPOLLIN, callback(b));
  a.put();
  b.put();
  run_with_watchdog(loop);
  EXPECT_EQ(calls, 1);
  run_with_watchdog(loop); // the other one is still ready: it runs now
  EXPECT_EQ(calls, 2);
  loop.remove(a.read_end);
  loop.remove(b.read_end);
}

} // namespace
