// The pieces of state mode in cmd/ that need no terminal: the frame clock that limits
// redraws, and the options. The renderer's tests are in view_state_render_test.cpp.

#include "frame_clock.hpp"
#include "state_options.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

TEST(StateView, TheFrameClockAllowsOneFramePerInterval)
{
  cmd::FrameClock clock(16ms);
  const auto start = cmd::FrameClock::Clock::time_point{} + 1h;
  EXPECT_EQ(clock.wait(start), 0ms); // the first frame at once
  clock.drew(start);
  EXPECT_EQ(clock.wait(start), 16ms);
  EXPECT_EQ(clock.wait(start + 10ms), 6ms);
  EXPECT_EQ(clock.wait(start + 16ms), 0ms);
  clock.drew(start + 20ms);
  EXPECT_EQ(clock.wait(start + 21ms), 15ms);
  // However many changes arrive, frames are at least one interval apart: 1000 updates over
  // one second draw at most 61 frames.
  cmd::FrameClock burst(std::chrono::nanoseconds(1'000'000'000 / 60));
  int frames = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto now = start + std::chrono::milliseconds(i);
    if (burst.wait(now) == cmd::FrameClock::Clock::duration::zero()) {
      burst.drew(now);
      ++frames;
    }
  }
  EXPECT_LE(frames, 61);
  EXPECT_GE(frames, 55);
}

TEST(StateView, KeyPathsArePointersOrNames)
{
  EXPECT_EQ(cmd::key_pointer(""), "/id");
  EXPECT_EQ(cmd::key_pointer("id"), "/id");
  EXPECT_EQ(cmd::key_pointer("a/b"), "/a~1b");
  EXPECT_EQ(cmd::key_pointer("/meta/id"), "/meta/id");
}

} // namespace
