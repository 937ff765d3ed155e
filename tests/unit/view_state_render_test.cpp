// The state view's picture without a terminal: layout, highlights, cut lines, escapes, and
// the frame around them.

#include "view/state_render.hpp"

#include <gtest/gtest.h>

namespace {

using json = ::json::Value;

std::vector<std::string> texts(const std::vector<view::Line>& lines)
{
  std::vector<std::string> out;
  for (const auto& line : lines) {
    out.push_back(line.text);
  }
  return out;
}

TEST(ViewStateRender, RendersPrettyJsonLineByLine)
{
  std::size_t total = 0;
  const auto lines = view::render_state(json::parse(R"({"b":[1,{}],"a":"x","c":{"d":null}})"), {},
                                       false, 80, 100, total);
  EXPECT_EQ(texts(lines), (std::vector<std::string>{
                            "{", "  \"b\": [", "    1,", "    {}", "  ],", "  \"a\": \"x\",",
                            "  \"c\": {", "    \"d\": null", "  }", "}"}));
  EXPECT_EQ(total, 10U);
}

TEST(ViewStateRender, HighlightsWhatChangedAndCountsWhatDoesNotFit)
{
  ::json::Changes changes;
  changes.written = {"/b"};
  changes.removed_from = {"/c"};
  std::size_t total = 0;
  const auto lines = view::render_state(json::parse(R"({"a":1,"b":[1,2],"c":{"d":2}})"), changes,
                                       false, 80, 5, total);
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_EQ(total, 10U);
  const std::string mark = "\x1b[7m";
  EXPECT_EQ(lines[1].text, "  \"a\": 1,");
  EXPECT_EQ(lines[2].text, mark + "  \"b\": [" + "\x1b[0m");
  EXPECT_EQ(lines[3].text, mark + "    1," + "\x1b[0m");
  // With colour: syntax colours, and the highlight as a background.
  const auto coloured = view::render_state(json::parse(R"({"c":{"d":2}})"), changes, true, 80, 10, total);
  EXPECT_EQ(coloured[1].text, "\x1b[1;30;43m  \"c\": {\x1b[0m"); // the container that lost a member
  EXPECT_EQ(coloured[2].text, "    \x1b[1;34m\"d\"\x1b[0m: \x1b[36m2\x1b[0m"); // not its members
}

TEST(ViewStateRender, CutsWideLinesAndEscapesWhatCouldDriveTheTerminal)
{
  std::size_t total = 0;
  auto lines = view::render_state(json("0123456789abcdef"), {}, false, 10, 10, total);
  EXPECT_EQ(lines[0].text, "\"01234567\u2026");
  EXPECT_EQ(lines[0].columns, 10U);
  lines = view::render_state(json("\u4e2d\u6587\u4e2d\u6587\u4e2d\u6587"), {}, false, 10, 10, total);
  EXPECT_EQ(lines[0].text, "\"\u4e2d\u6587\u4e2d\u6587\u2026"); // wide characters take two columns
  EXPECT_EQ(lines[0].columns, 10U);
  lines = view::render_state(json("a\x1b[31m\n\u009b\u202e\x7f\u200f"), {}, false, 80, 10, total);
  EXPECT_EQ(lines[0].text, "\"a\\u001b[31m\\n\\u009b\\u202e\\u007f\\u200f\"");
  lines = view::render_state(json::parse(R"({"k\u001b":1})"), {}, false, 80, 10, total);
  EXPECT_EQ(lines[1].text, "  \"k\\u001b\": 1");
}

TEST(ViewStateRender, AFrameHasAHeaderAndFitsTheScreen)
{
  const json state = json::parse(R"({"a":{"b":[1,2,3]}})");
  ::json::Changes changes;
  changes.written = {"/a/b/0"};
  view::FrameHeader header{"sse patch", "/a", 7, 2};
  // Four rows: the header and three lines of the state, the last saying what did not fit.
  std::string frame = view::render_frame(&state, changes, header, {4, 80}, false, false);
  EXPECT_EQ(frame, "\x1b[7msse patch: state after event 7 at /a (2 skipped)\x1b[0m"
                   "\x1b[K\r\n{"
                   "\x1b[K\r\n  \"b\": ["
                   "\x1b[K\r\n... 5 more lines");
  // A final frame: newlines, no highlight, a row left for the prompt, a header cut to width.
  frame = view::render_frame(&state, changes, {"sse", "/a/b/0", 1, 0}, {3, 12}, false, true);
  EXPECT_EQ(frame, "\x1b[7msse: state a\x1b[0m\n1");
  // No state yet, or a pointer that finds nothing: null.
  frame = view::render_frame(nullptr, {}, {"sse", "", 0, 0}, {24, 80}, false, true);
  EXPECT_EQ(frame, "\x1b[7msse: state after event 0\x1b[0m\nnull");
  frame = view::render_frame(&state, {}, {"sse", "/x", 0, 0}, {24, 80}, false, true);
  EXPECT_EQ(frame, "\x1b[7msse: state after event 0 at /x\x1b[0m\nnull");
}

} // namespace
