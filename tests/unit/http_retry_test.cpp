#include "http/retry.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace {

using namespace std::chrono_literals;

TEST(HttpRetry, FirstWaitIsExactlyTheServersRetry)
{
  http::Backoff backoff(3000ms, 30000ms, 1);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(backoff.delay(0), 3000ms);
  }
}

TEST(HttpRetry, LaterWaitsGrowWithinTheServersRetryAndTheCap)
{
  http::Backoff backoff(1000ms, 10000ms, 7);
  bool above_floor = false;
  for (std::uint32_t attempt = 1; attempt < 40; ++attempt) {
    const auto wait = backoff.delay(attempt);
    EXPECT_GE(wait, 1000ms);
    EXPECT_LE(wait, 10000ms);
    EXPECT_LE(wait.count(), 1000LL << std::min<std::uint32_t>(attempt, 20));
    above_floor = above_floor || wait > 1000ms;
  }
  EXPECT_TRUE(above_floor) << "no jitter at all";
}

TEST(HttpRetry, TheCapWinsOverALargeRetry)
{
  http::Backoff backoff(60000ms, 5000ms, 3);
  EXPECT_EQ(backoff.delay(0), 5000ms);
  EXPECT_EQ(backoff.delay(3), 5000ms);
  backoff.set_retry(0ms);
  EXPECT_LE(backoff.delay(5), 32ms);
}

TEST(HttpRetry, ParsesRetryAfterSecondsAndDates)
{
  const auto now = std::chrono::system_clock::from_time_t(784111777); // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(http::parse_retry_after("120", now), 120000ms);
  EXPECT_EQ(http::parse_retry_after(" 0 ", now), 0ms);
  EXPECT_EQ(http::parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), 10000ms);
  EXPECT_EQ(http::parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), 0ms);
  EXPECT_FALSE(http::parse_retry_after("", now));
  EXPECT_FALSE(http::parse_retry_after("soon", now));
  EXPECT_FALSE(http::parse_retry_after("-5", now));
}

TEST(HttpRetry, RetryAfterIsAFloorThatTheCapBounds)
{
  http::Backoff backoff(100ms, 5000ms, 3);
  EXPECT_EQ(backoff.wait(0, 2000ms), 2000ms);
  EXPECT_EQ(backoff.wait(0, std::nullopt), 100ms);
  EXPECT_EQ(backoff.wait(0, 0ms), 100ms);
  // Retry-After: 99999999 is three years: the cap wins.
  const auto years = http::parse_retry_after("99999999", std::chrono::system_clock::now());
  EXPECT_EQ(backoff.wait(0, years), 5000ms);
  EXPECT_EQ(backoff.wait(7, years), 5000ms);
}

TEST(HttpRetry, RetryAfterIsReadFromTheHeadersOfAReply)
{
  EXPECT_EQ(http::retry_after({{"retry-after", " 2 "}}), 2000ms);
  EXPECT_EQ(http::retry_after({{"Content-Type", "text/plain"}}), std::nullopt);
  EXPECT_EQ(http::retry_after({{"Retry-After", "soon"}}), std::nullopt);
}

TEST(HttpRetry, AWaitLastsItsDelay)
{
  http::InterruptibleWait wait;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait.wait(20ms), http::InterruptibleWait::End::elapsed);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST(HttpRetry, AWaitEndsAtTheDeadlineWhenThatIsSooner)
{
  http::InterruptibleWait wait;
  const auto deadline = std::chrono::steady_clock::now() + 20ms;
  EXPECT_EQ(wait.wait(60s, deadline), http::InterruptibleWait::End::deadline);
  EXPECT_GE(std::chrono::steady_clock::now(), deadline);
}

TEST(HttpRetry, InterruptFromAnotherThreadEndsAWaitAtOnce)
{
  http::InterruptibleWait wait;
  std::thread interrupter([&] {
    std::this_thread::sleep_for(20ms);
    wait.interrupt();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(wait.wait(60s), http::InterruptibleWait::End::interrupted);
  interrupter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(wait.interrupted());
  // Once interrupted, every later wait ends at once too: the caller is stopping.
  EXPECT_EQ(wait.wait(60s), http::InterruptibleWait::End::interrupted);
}

} // namespace
