#include "sse/formatter.hpp"
#include "sse/parser.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

struct Collector : sse::ParserHandler {
  std::vector<sse::Event> events;
  void on_event(const sse::EventView& event) override { events.push_back(sse::to_event(event)); }
};

std::vector<sse::Event> parse(const std::string& text)
{
  Collector collector;
  sse::Parser parser(collector);
  parser.feed(text);
  parser.finish();
  return collector.events;
}

std::string format(const std::vector<sse::Event>& events)
{
  sse::Formatter formatter;
  std::string out;
  for (const auto& event : events) {
    formatter.append(out, event.view());
  }
  return out;
}

TEST(SseFormatter, WritesOnlyTheFieldsThatAreNeeded)
{
  EXPECT_EQ(format({{"message", "hello", "", std::nullopt}}), "data: hello\n\n");
  EXPECT_EQ(format({{"update", "x", "7", 1500}}), "event: update\nid: 7\nretry: 1500\ndata: x\n\n");
}

TEST(SseFormatter, SplitsDataOnEveryKindOfLineBreak)
{
  EXPECT_EQ(format({{"message", "a\nb\r\nc\rd", "", std::nullopt}}),
            "data: a\ndata: b\ndata: c\ndata: d\n\n");
  EXPECT_EQ(format({{"message", "", "", std::nullopt}}), "data:\n\n");
  EXPECT_EQ(format({{"message", "a\n", "", std::nullopt}}), "data: a\ndata:\n\n");
  EXPECT_EQ(format({{"message", " lead", "", std::nullopt}}), "data:  lead\n\n");
}

TEST(SseFormatter, SendsTheIdOnlyWhenTheLastEventIdChanges)
{
  const std::vector<sse::Event> events = {
    {"message", "a", "1", std::nullopt},
    {"message", "b", "1", std::nullopt},
    {"message", "c", "", std::nullopt},
    {"message", "d", "2", std::nullopt},
  };
  EXPECT_EQ(format(events), "id: 1\ndata: a\n\ndata: b\n\nid:\ndata: c\n\nid: 2\ndata: d\n\n");
}

TEST(SseFormatter, IsTheInverseOfTheParserForDataWithoutCr)
{
  const std::vector<sse::Event> events = {
    {"message", "plain", "", std::nullopt},
    {"tick", "{\"n\":1}", "1", std::nullopt},
    {"message", "multi\nline\n\ndata", "1", 250},
    {"message", "", "", std::nullopt},
    {"x y", " spaced ", "id with spaces", std::nullopt},
    {"message", "\n", "id with spaces", 0},
    {"message", std::string("nul\0inside", 10), "", std::nullopt},
    {"message", "\xE2\x80\xA8 and \xC2\x85 are not breaks", "\xF0\x9F\x98\x80", std::nullopt},
  };
  EXPECT_EQ(parse(format(events)), events);
}

TEST(SseFormatter, RejectsWhatTheWireCannotCarry)
{
  using sse::FormatProblem;
  EXPECT_EQ(sse::Formatter::check({"message", "x", "a\nb", {}, {}}), FormatProblem::id_has_line_break);
  EXPECT_EQ(sse::Formatter::check({"message", "x", "a\rb", {}, {}}), FormatProblem::id_has_line_break);
  EXPECT_EQ(sse::Formatter::check({"message", "x", std::string_view("a\0b", 3), {}, {}}),
            FormatProblem::id_has_nul);
  EXPECT_EQ(sse::Formatter::check({"a\nb", "x", "", {}, {}}), FormatProblem::type_has_line_break);
  EXPECT_EQ(sse::Formatter::check({"message", "a\nb\rc", "", {}, {}}), FormatProblem::none);
}

TEST(SseFormatter, WritesCommentsLineByLine)
{
  std::string out;
  sse::Formatter::append_comment(out, " keep-alive\nsecond");
  EXPECT_EQ(out, ": keep-alive\n:second\n");
}

} // namespace
