// hub::encode_event, encode_comment and encode_retry, the event-stream text `sse serve`
// writes: exact text, and what the project's own parser reads back from it, with each line
// ending `sse serve --eol` offers.

#include "hub/encoding.hpp"
#include "sse/parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

struct Recorder : sse::ParserHandler {
  std::vector<sse::Event> events;
  std::vector<std::string> comments;
  std::vector<std::uint64_t> retries;
  void on_event(const sse::EventView& event) override { events.push_back(sse::to_event(event)); }
  void on_comment(std::string_view text) override { comments.emplace_back(text); }
  void on_retry(std::uint64_t milliseconds) override { retries.push_back(milliseconds); }
};

/// What a fresh parser reads from TEXT, fed whole; and fed byte by byte, which must agree.
Recorder parse(std::string_view text)
{
  Recorder whole;
  {
    sse::Parser parser(whole);
    EXPECT_TRUE(parser.feed(text));
    parser.finish();
  }
  Recorder bytes;
  {
    sse::Parser parser(bytes);
    for (const char c : text) {
      EXPECT_TRUE(parser.feed(std::string_view(&c, 1)));
    }
    parser.finish();
  }
  EXPECT_EQ(bytes.events, whole.events) << "byte by byte";
  EXPECT_EQ(bytes.comments, whole.comments) << "byte by byte";
  EXPECT_EQ(bytes.retries, whole.retries) << "byte by byte";
  return whole;
}

/// Whether every line break in TEXT is EOL.
bool only_line_end(std::string_view text, std::string_view eol)
{
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i, eol.size()) == eol) {
      i += eol.size();
    } else if (text[i] == '\r' || text[i] == '\n') {
      return false;
    } else {
      ++i;
    }
  }
  return true;
}

const std::vector<std::string> k_eols = {"\n", "\r\n", "\r"};

sse::Event event(std::string type, std::string data, std::string id,
                 std::optional<std::uint64_t> retry = std::nullopt)
{
  return {std::move(type), std::move(data), std::move(id), retry};
}

/// Events as `sse serve` sends them: with ids, any data without CR.
std::vector<sse::Event> samples()
{
  return {
    event("message", "hello", "1"),
    event("update", "line one\nline two\n\nline four", "2"),
    event("message", "", "3"),
    event("message", "\n", "4"),
    event("message", "ends with a break\n", "5"),
    event("message", " leading space", "6"),
    event("message", ": looks like a comment", "7"),
    event("json_patch", R"([{"op":"add","path":"/a","value":"b: c"}])", "id with spaces"),
    event("tick", "x", "9", 3000),
    event("message", "unicode \xc3\xa9\xe2\x82\xac", "\xc3\xa9"),
    event("message", "data: not a field", "11", 0),
  };
}

TEST(HubEncoding, ExactText)
{
  EXPECT_EQ(hub::encode_event(event("message", "hello", "1"), "\n"), "id: 1\ndata: hello\n\n");
  EXPECT_EQ(hub::encode_event(event("update", "a\nb", "7", 1500), "\r\n"),
            "event: update\r\nid: 7\r\nretry: 1500\r\ndata: a\r\ndata: b\r\n\r\n");
  EXPECT_EQ(hub::encode_event(event("message", "", "1"), "\r"), "id: 1\rdata:\r\r");
  EXPECT_EQ(hub::encode_event(event("message", "no id", ""), "\n"), "data: no id\n\n");
}

TEST(HubEncoding, EveryEventCarriesItsId)
{
  // Each call stands alone: a client may have joined after an event with the same id, so
  // the id is never left out as a formatter that remembers would.
  const sse::Event same = event("message", "x", "42");
  for (const auto& eol : k_eols) {
    const std::string first = hub::encode_event(same, eol);
    const std::string second = hub::encode_event(same, eol);
    EXPECT_EQ(first, second);
    EXPECT_NE(first.find("id: 42" + eol), std::string::npos) << first;
  }
}

TEST(HubEncoding, EventsParseBackWithEveryLineEnd)
{
  for (const auto& eol : k_eols) {
    for (const sse::Event& original : samples()) {
      const std::string text = hub::encode_event(original, eol);
      EXPECT_TRUE(only_line_end(text, eol)) << text;
      const Recorder read = parse(text);
      ASSERT_EQ(read.events.size(), 1U) << text;
      EXPECT_EQ(read.events[0], original) << "eol " << (eol == "\n" ? "LF" : eol == "\r" ? "CR" : "CRLF");
      EXPECT_TRUE(read.comments.empty());
      EXPECT_EQ(read.retries.size(), original.retry ? 1U : 0U);
    }
  }
}

TEST(HubEncoding, AStreamOfEventsParsesBack)
{
  for (const auto& eol : k_eols) {
    std::string stream;
    for (const sse::Event& original : samples()) {
      stream += hub::encode_event(original, eol);
      stream += hub::encode_comment("between", eol);
    }
    const Recorder read = parse(stream);
    EXPECT_EQ(read.events, samples());
    EXPECT_EQ(read.comments.size(), samples().size());
  }
}

TEST(HubEncoding, CommentText)
{
  EXPECT_EQ(hub::encode_comment("hello", "\n"), ": hello\n\n");
  EXPECT_EQ(hub::encode_comment("one\ntwo\r\nthree\rfour", "\r\n"),
            ": one\r\n: two\r\n: three\r\n: four\r\n\r\n");
  EXPECT_EQ(hub::encode_comment("", "\n"), ": \n\n");
}

TEST(HubEncoding, CommentsParseBackLineByLine)
{
  for (const auto& eol : k_eols) {
    const Recorder read = parse(hub::encode_comment("first\nsecond\r\n\nfourth", eol));
    EXPECT_TRUE(read.events.empty());
    EXPECT_EQ(read.comments, (std::vector<std::string>{" first", " second", " ", " fourth"}));
  }
}

TEST(HubEncoding, ACommentEndsWithABlankLineSoTheNextEventStandsAlone)
{
  for (const auto& eol : k_eols) {
    // A half-written block before the comment would otherwise swallow it; here the comment's
    // blank line dispatches nothing, and the event after it is whole.
    const Recorder read =
      parse(hub::encode_comment("note", eol) + hub::encode_event(event("message", "x", "1"), eol));
    ASSERT_EQ(read.events.size(), 1U);
    EXPECT_EQ(read.events[0].data, "x");
  }
}

TEST(HubEncoding, Retry)
{
  EXPECT_EQ(hub::encode_retry(3000, "\n"), "retry: 3000\n\n");
  EXPECT_EQ(hub::encode_retry(0, "\r\n"), "retry: 0\r\n\r\n");
  for (const auto& eol : k_eols) {
    const Recorder read = parse(hub::encode_retry(2500, eol));
    EXPECT_TRUE(read.events.empty()) << "a retry alone is no event";
    EXPECT_EQ(read.retries, (std::vector<std::uint64_t>{2500}));
  }
}

} // namespace
