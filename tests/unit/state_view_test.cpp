// The pieces of the live state view that need no terminal: the frame clock that limits
// redraws, and the renderer (layout, highlights, cut lines, escapes).

#include "state_view.hpp"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;
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

std::vector<std::string> texts(const std::vector<cmd::ViewLine>& lines)
{
  std::vector<std::string> out;
  for (const auto& line : lines) {
    out.push_back(line.text);
  }
  return out;
}

TEST(StateView, RendersPrettyJsonLineByLine)
{
  std::size_t total = 0;
  const auto lines = cmd::render_state(json::parse(R"({"b":[1,{}],"a":"x","c":{"d":null}})"), {},
                                       false, 80, 100, total);
  EXPECT_EQ(texts(lines), (std::vector<std::string>{
                            "{", "  \"a\": \"x\",", "  \"b\": [", "    1,", "    {}", "  ],",
                            "  \"c\": {", "    \"d\": null", "  }", "}"}));
  EXPECT_EQ(total, 10U);
}

TEST(StateView, HighlightsWhatChangedAndCountsWhatDoesNotFit)
{
  ::json::Changes changes;
  changes.written = {"/b"};
  changes.removed_from = {"/c"};
  std::size_t total = 0;
  const auto lines = cmd::render_state(json::parse(R"({"a":1,"b":[1,2],"c":{"d":2}})"), changes,
                                       false, 80, 5, total);
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_EQ(total, 10U);
  const std::string mark = "\x1b[7m";
  EXPECT_EQ(lines[1].text, "  \"a\": 1,");
  EXPECT_EQ(lines[2].text, mark + "  \"b\": [" + "\x1b[0m");
  EXPECT_EQ(lines[3].text, mark + "    1," + "\x1b[0m");
  // With colour: syntax colours, and the highlight as a background.
  const auto coloured = cmd::render_state(json::parse(R"({"c":{"d":2}})"), changes, true, 80, 10, total);
  EXPECT_EQ(coloured[1].text, "\x1b[1;30;43m  \"c\": {\x1b[0m"); // the container that lost a member
  EXPECT_EQ(coloured[2].text, "    \x1b[1;34m\"d\"\x1b[0m: \x1b[36m2\x1b[0m"); // not its members
}

TEST(StateView, CutsWideLinesAndEscapesWhatCouldDriveTheTerminal)
{
  std::size_t total = 0;
  auto lines = cmd::render_state(json("0123456789abcdef"), {}, false, 10, 10, total);
  EXPECT_EQ(lines[0].text, "\"01234567\u2026");
  EXPECT_EQ(lines[0].columns, 10U);
  lines = cmd::render_state(json("\u4e2d\u6587\u4e2d\u6587\u4e2d\u6587"), {}, false, 10, 10, total);
  EXPECT_EQ(lines[0].text, "\"\u4e2d\u6587\u4e2d\u6587\u2026"); // wide characters take two columns
  EXPECT_EQ(lines[0].columns, 10U);
  lines = cmd::render_state(json("a\x1b[31m\n\u009b\u202e\x7f"), {}, false, 80, 10, total);
  EXPECT_EQ(lines[0].text, "\"a\\u001b[31m\\n\\u009b\\u202e\\u007f\"");
  lines = cmd::render_state(json::parse(R"({"k\u001b":1})"), {}, false, 80, 10, total);
  EXPECT_EQ(lines[1].text, "  \"k\\u001b\": 1");
}

TEST(StateView, KeyPathsArePointersOrNames)
{
  EXPECT_EQ(cmd::key_pointer(""), "/id");
  EXPECT_EQ(cmd::key_pointer("id"), "/id");
  EXPECT_EQ(cmd::key_pointer("a/b"), "/a~1b");
  EXPECT_EQ(cmd::key_pointer("/meta/id"), "/meta/id");
}

} // namespace
