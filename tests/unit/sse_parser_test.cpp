// The event-stream parser against the golden files in tests/data/sse (NNN-name.sse input,
// NNN-name.json the NDJSON derived by hand from the WHATWG "event stream interpretation"
// rules), fed whole, byte by byte and split at every position; plus targeted tests for chunk
// boundaries, limits, raw bytes and the comment and retry callbacks.

#include "json/ndjson.hpp"
#include "sse/parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <cctype>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Records everything the parser reports; events are rendered as `sse parse -f json` prints
// them, one NDJSON line each.
struct Recorder : sse::ParserHandler {
  std::string ndjson;
  std::string raw;
  std::vector<std::string> raws;
  std::vector<std::string> comments;
  std::vector<std::uint64_t> retries;

  void on_event(const sse::EventView& event) override
  {
    json::append_event(ndjson, event, false);
    ndjson.push_back('\n');
    raw.append(event.raw);
    raws.emplace_back(event.raw);
  }
  void on_comment(std::string_view text) override { comments.emplace_back(text); }
  void on_retry(std::uint64_t milliseconds) override { retries.push_back(milliseconds); }
  void on_raw(std::string_view bytes) override
  {
    raw.append(bytes);
    unclaimed.emplace_back(bytes);
  }
  std::vector<std::string> unclaimed; // raw bytes that belong to no event, as delivered
};

sse::ParserOptions options_with(bool keep_raw, std::size_t max_event_size = 16 * 1024 * 1024)
{
  sse::ParserOptions options;
  options.keep_raw = keep_raw;
  options.max_event_size = max_event_size;
  return options;
}

struct Outcome {
  std::string ndjson;
  std::string raw; // every event's raw bytes and the unclaimed ones, in stream order
  bool ok = true;
};

Outcome parse_chunks(const std::vector<std::string_view>& chunks, bool keep_raw)
{
  Recorder recorder;
  sse::Parser parser(recorder, options_with(keep_raw));
  Outcome outcome;
  for (const auto chunk : chunks) {
    outcome.ok = parser.feed(chunk) && outcome.ok;
  }
  parser.finish();
  outcome.ndjson = recorder.ndjson;
  outcome.raw = recorder.raw;
  return outcome;
}

std::string parse_whole(std::string_view input)
{
  return parse_chunks({input}, false).ndjson;
}

// --- golden files ------------------------------------------------------------------------

struct GoldenCase {
  std::string name; // "001-basic"
  fs::path input;
  fs::path expected;
};

// How GoogleTest names a case in its output (otherwise a dump of the struct's bytes).
void PrintTo(const GoldenCase& golden, std::ostream* out)
{
  *out << golden.name;
}

fs::path golden_dir()
{
  return fs::path(SSE_TEST_DATA) / "sse";
}

std::vector<GoldenCase> golden_cases()
{
  std::vector<GoldenCase> cases;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(golden_dir(), error)) {
    const fs::path& path = entry.path();
    if (path.extension() == ".sse") {
      fs::path expected = path;
      expected.replace_extension(".json");
      cases.push_back({path.stem().string(), path, expected});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const GoldenCase& a, const GoldenCase& b) { return a.name < b.name; });
  return cases;
}

std::string test_name(const testing::TestParamInfo<GoldenCase>& info)
{
  std::string name = "c" + info.param.name;
  std::replace_if(
    name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
    '_');
  return name;
}

class SseParserGolden : public testing::TestWithParam<GoldenCase> {
protected:
  void SetUp() override
  {
    ASSERT_TRUE(fs::exists(GetParam().expected)) << GetParam().expected << " is missing";
    m_input = slurp(GetParam().input);
    m_expected = slurp(GetParam().expected);
  }

  // Checks one way of cutting the input: the events, and with keep_raw the raw bytes.
  void check(const std::vector<std::string_view>& chunks)
  {
    const Outcome plain = parse_chunks(chunks, false);
    EXPECT_TRUE(plain.ok);
    EXPECT_EQ(plain.ndjson, m_expected);
    const Outcome with_raw = parse_chunks(chunks, true);
    EXPECT_EQ(with_raw.ndjson, m_expected) << "with keep_raw";
    EXPECT_EQ(with_raw.raw, m_input) << "events' raw bytes and the leftover are not the input";
  }

  std::string m_input;
  std::string m_expected;
};

TEST_P(SseParserGolden, Whole)
{
  check({m_input});
}

TEST_P(SseParserGolden, ByteByByte)
{
  std::vector<std::string_view> chunks;
  const std::string_view input = m_input;
  for (std::size_t i = 0; i < input.size(); ++i) {
    chunks.push_back(input.substr(i, 1));
  }
  check(chunks);
}

TEST_P(SseParserGolden, SplitAtEveryPosition)
{
  const std::string_view input = m_input;
  for (std::size_t at = 0; at <= input.size(); ++at) {
    SCOPED_TRACE("split at byte " + std::to_string(at));
    check({input.substr(0, at), input.substr(at)});
    if (HasFailure()) {
      return; // one split's report is enough
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, SseParserGolden, testing::ValuesIn(golden_cases()), test_name);

TEST(SseParserGoldenFiles, EveryInputHasItsExpectedOutput)
{
  std::size_t inputs = 0;
  std::size_t outputs = 0;
  for (const auto& entry : fs::directory_iterator(golden_dir())) {
    fs::path other = entry.path();
    if (other.extension() == ".sse") {
      ++inputs;
      other.replace_extension(".json");
    } else if (other.extension() == ".json") {
      ++outputs;
      other.replace_extension(".sse");
    } else {
      ADD_FAILURE() << "unexpected file " << entry.path();
      continue;
    }
    EXPECT_TRUE(fs::exists(other)) << entry.path() << " has no " << other.filename();
  }
  EXPECT_EQ(inputs, outputs);
  EXPECT_GE(inputs, 30U);
}

// --- chunk boundaries --------------------------------------------------------------------

TEST(SseParser, CrAtTheEndOfAChunkThenLfIsOneLineEnd)
{
  // Were the LF a line end of its own, it would be a blank line dispatching "a" alone.
  EXPECT_EQ(parse_chunks({"data: a\r", "\ndata: b\r", "\n\r", "\n"}, false).ndjson,
            "{\"event\":\"message\",\"data\":\"a\\nb\"}\n");
  EXPECT_EQ(parse_chunks({"data: a\r", "\n", "\r", "\n", "data: b\r", "\r", "\n"}, false).ndjson,
            "{\"event\":\"message\",\"data\":\"a\"}\n{\"event\":\"message\",\"data\":\"b\"}\n");
}

TEST(SseParser, EmptyChunksChangeNothing)
{
  // An empty feed between CR and LF must not forget that the LF belongs to the CR.
  EXPECT_EQ(parse_chunks({"", "data: a\r", "", "\n", "", "data: b\r", "", "\n\r", "", "\n", ""},
                         false)
              .ndjson,
            "{\"event\":\"message\",\"data\":\"a\\nb\"}\n");
  const Outcome outcome = parse_chunks({"data: a\r", "", "\n\r", "", "\n"}, true);
  EXPECT_EQ(outcome.ndjson, "{\"event\":\"message\",\"data\":\"a\"}\n");
  EXPECT_EQ(outcome.raw, "data: a\r\n\r\n");
}

TEST(SseParser, BomSplitAcrossThreeChunks)
{
  EXPECT_EQ(parse_chunks({"\xEF", "\xBB", "\xBF" "data: a\n\n"}, false).ndjson,
            "{\"event\":\"message\",\"data\":\"a\"}\n");
  // The BOM is stripped once: a second one, also split, makes an unknown field name.
  EXPECT_EQ(parse_chunks({"\xEF", "\xBB", "\xBF", "\xEF", "\xBB", "\xBF" "data: a\n\ndata: b\n\n"},
                         false)
              .ndjson,
            "{\"event\":\"message\",\"data\":\"b\"}\n");
  // A BOM then a blank line, split inside the BOM.
  EXPECT_EQ(parse_chunks({"\xEF\xBB", "\xBF\n", "data: c\n\n"}, false).ndjson,
            "{\"event\":\"message\",\"data\":\"c\"}\n");
}

TEST(SseParser, MultiByteCharacterSplitAcrossChunks)
{
  // U+20AC is E2 82 AC, U+1F600 is F0 9F 98 80.
  EXPECT_EQ(parse_chunks({"data: \xE2", "\x82", "\xAC\n\n"}, false).ndjson,
            "{\"event\":\"message\",\"data\":\"\xE2\x82\xAC\"}\n");
  EXPECT_EQ(parse_chunks({"event: \xF0\x9F", "\x98", "\x80\ndata: \xF0", "\x9F\x98\x80\n\n"}, false)
              .ndjson,
            "{\"event\":\"\xF0\x9F\x98\x80\",\"data\":\"\xF0\x9F\x98\x80\"}\n");
  // A truncated sequence stays one U+FFFD however it is cut.
  EXPECT_EQ(parse_chunks({"data: \xF0\x9F", "\x98", "x\n\n"}, false).ndjson,
            "{\"event\":\"message\",\"data\":\"\xEF\xBF\xBDx\"}\n");
}

// --- limits ------------------------------------------------------------------------------

TEST(SseParser, DataBufferOverTheLimitFails)
{
  // The first event is fine; the second's data buffer (22 bytes) is over 16 while every line
  // (16 bytes) is within it.
  const std::string first = "data: 0123456789\n\n";                     // bytes 0-17
  const std::string second = "data: 0123456789\ndata: 0123456789\n\n"; // bytes 18-52
  const std::string input = first + second;
  Recorder recorder;
  sse::Parser parser(recorder, options_with(false, 16));
  EXPECT_FALSE(parser.feed(input));
  EXPECT_TRUE(parser.failed());
  EXPECT_EQ(recorder.ndjson, "{\"event\":\"message\",\"data\":\"0123456789\"}\n");
  EXPECT_EQ(parser.event_count(), 1U);
  const sse::ParseFailure& failure = parser.failure();
  EXPECT_FALSE(failure.in_line);
  EXPECT_EQ(failure.event_number, 2U);
  // The offset is that of the line that crossed the limit: the second data line of the second
  // block, bytes 35-51 and its LF.
  EXPECT_EQ(failure.byte_offset, first.size() + 17);
  // The stream is over: nothing more is parsed.
  EXPECT_FALSE(parser.feed("data: late\n\n"));
  parser.finish();
  EXPECT_EQ(parser.event_count(), 1U);
}

TEST(SseParser, DataBufferOverTheLimitFailsByteByByte)
{
  const std::string input = "data: 0123456789\n\ndata: 0123456789\ndata: 0123456789\n\n";
  Recorder recorder;
  sse::Parser parser(recorder, options_with(false, 16));
  std::size_t fed = 0;
  while (fed < input.size() && parser.feed(std::string_view(input).substr(fed, 1))) {
    ++fed;
  }
  ASSERT_LT(fed, input.size()) << "the limit was never reported";
  EXPECT_GE(fed, 35U); // not before the second data line of the second block
  EXPECT_FALSE(parser.failure().in_line);
  EXPECT_EQ(parser.failure().event_number, 2U);
  EXPECT_EQ(parser.failure().byte_offset, 35U);
  EXPECT_EQ(parser.event_count(), 1U);
}

TEST(SseParser, NeverEndingLineFailsFastWithBoundedMemory)
{
  constexpr std::size_t limit = 1024 * 1024;
  constexpr std::size_t chunk_size = 64 * 1024;
  constexpr std::size_t total = 100 * 1024 * 1024;
  std::string chunk(chunk_size, 'x');
  const std::string first = "data: " + chunk.substr(6);
  Recorder recorder;
  sse::Parser parser(recorder, options_with(false, limit));
  std::size_t fed = 0;
  bool ok = true;
  while (ok && fed < total) {
    ok = parser.feed(fed == 0 ? first : chunk);
    fed += chunk_size;
  }
  ASSERT_FALSE(ok) << "100 MiB of one line was accepted with a 1 MiB limit";
  // It fails in the chunk that takes the line over the limit, not later: the parser cannot
  // have buffered much more than the limit.
  EXPECT_LE(fed, limit + chunk_size);
  const sse::ParseFailure& failure = parser.failure();
  EXPECT_TRUE(failure.in_line);
  EXPECT_EQ(failure.event_number, 1U);
  EXPECT_EQ(failure.byte_offset, 0U); // the line that crossed the limit starts the stream
  EXPECT_EQ(parser.event_count(), 0U);
  EXPECT_FALSE(parser.feed("\n\n"));
  EXPECT_EQ(recorder.ndjson, "");
}

TEST(SseParser, NeverEndingCommentLineFailsToo)
{
  constexpr std::size_t limit = 64 * 1024;
  const std::string chunk(4096, 'c');
  Recorder recorder;
  sse::Parser parser(recorder, options_with(false, limit));
  ASSERT_TRUE(parser.feed(":"));
  std::size_t fed = 1;
  bool ok = true;
  while (ok && fed < 64 * limit) {
    ok = parser.feed(chunk);
    fed += chunk.size();
  }
  ASSERT_FALSE(ok);
  EXPECT_LE(fed, limit + chunk.size() + 1);
  EXPECT_TRUE(parser.failure().in_line);
  EXPECT_EQ(parser.failure().byte_offset, 0U);
}

TEST(SseParser, KeptRawBytesOfABlockThatNeverEndsAreBounded)
{
  // With keep_raw the parser holds back the bytes of the block being read. Lines that never
  // dispatch (comments, unknown fields) are valid in any number, so instead of failing, the
  // parser hands a block's start out once it outgrows the limit: 100 MiB of them with a
  // 1 MiB limit are all delivered, in order, and never held more than limit + one chunk.
  constexpr std::size_t limit = 1024 * 1024;
  constexpr std::size_t total = 100 * 1024 * 1024;
  std::string chunk;
  while (chunk.size() < 64 * 1024) {
    chunk += ": ping\nfoo: bar\n";
  }
  struct Sizes : sse::ParserHandler {
    std::size_t delivered = 0;
    std::size_t largest = 0;
    void on_event(const sse::EventView&) override { ADD_FAILURE() << "no event expected"; }
    void on_raw(std::string_view bytes) override
    {
      delivered += bytes.size();
      largest = std::max(largest, bytes.size());
    }
  } sizes;
  sse::Parser parser(sizes, options_with(true, limit));
  std::size_t fed = 0;
  while (fed < total) {
    ASSERT_TRUE(parser.feed(chunk));
    fed += chunk.size();
  }
  EXPECT_LE(sizes.largest, limit + chunk.size());
  EXPECT_GE(sizes.delivered, fed - limit - chunk.size());
  parser.finish();
  EXPECT_EQ(sizes.delivered, fed);
}

TEST(SseParser, TerminatedLineOverTheLimitInOneChunkFails)
{
  constexpr std::size_t limit = 1024;
  const std::string input = "data: ok\n\ndata: " + std::string(2 * limit, 'y') + "\n\n";
  Recorder recorder;
  sse::Parser parser(recorder, options_with(false, limit));
  EXPECT_FALSE(parser.feed(input));
  EXPECT_TRUE(parser.failure().in_line);
  EXPECT_EQ(parser.failure().event_number, 2U);
  EXPECT_EQ(parser.failure().byte_offset, 10U); // where the long line starts
  EXPECT_EQ(recorder.ndjson, "{\"event\":\"message\",\"data\":\"ok\"}\n");
}

TEST(SseParser, EventSizeCountsTypeIdAndDataTogether)
{
  // ParserOptions::max_event_size: "Largest event (data, type and id together)". Every line
  // here is within 64 bytes, and so is the data, but type + id + data are 30 + 30 + 10 = 70.
  const std::string input = "event: " + std::string(30, 't') + "\nid: " + std::string(30, 'i')
                            + "\ndata: " + std::string(10, 'd') + "\n\n";
  Recorder recorder;
  sse::Parser parser(recorder, options_with(false, 64));
  EXPECT_FALSE(parser.feed(input));
  EXPECT_FALSE(parser.failure().in_line);
  EXPECT_EQ(parser.failure().event_number, 1U);
  EXPECT_EQ(recorder.ndjson, "");
}

// --- raw bytes, callbacks, state ----------------------------------------------------------

TEST(SseParser, RawIsTheBytesSinceThePreviousEvent)
{
  Recorder recorder;
  sse::Parser parser(recorder, options_with(true));
  const std::string input = "\xEF\xBB\xBF" "data: a\n\n: note\nid: 1\r\ndata: b\r\n\r\n"
                            "event: x\n\ndata: c\rdata: d";
  EXPECT_TRUE(parser.feed(input));
  parser.finish();
  ASSERT_EQ(recorder.raws.size(), 2U);
  EXPECT_EQ(recorder.raws[0], "\xEF\xBB\xBF" "data: a\n\n");
  EXPECT_EQ(recorder.raws[1], ": note\nid: 1\r\ndata: b\r\n\r\n");
  // A block without data and the discarded tail belong to no event.
  EXPECT_EQ(recorder.unclaimed, (std::vector<std::string>{"event: x\n\n", "data: c\rdata: d"}));
}

TEST(SseParser, RawIsEmptyWithoutKeepRaw)
{
  Recorder recorder;
  sse::Parser parser(recorder);
  EXPECT_TRUE(parser.feed("data: a\n\n"));
  ASSERT_EQ(recorder.raws.size(), 1U);
  EXPECT_EQ(recorder.raws[0], "");
}

TEST(SseParser, OnCommentGetsTheDecodedTextAfterTheColon)
{
  Recorder recorder;
  sse::Parser parser(recorder);
  EXPECT_TRUE(parser.feed(": hello\n:\n:  two\r:\xFF x\r\n:data: y\n\n"));
  parser.finish();
  const std::vector<std::string> expected{" hello", "", "  two", "\xEF\xBF\xBD x", "data: y"};
  EXPECT_EQ(recorder.comments, expected);
  EXPECT_EQ(recorder.ndjson, "");
}

TEST(SseParser, OnCommentCalledForACommentSplitAcrossChunks)
{
  Recorder recorder;
  sse::Parser parser(recorder);
  EXPECT_TRUE(parser.feed(": he"));
  EXPECT_TRUE(recorder.comments.empty());
  EXPECT_TRUE(parser.feed("llo\r"));
  EXPECT_EQ(recorder.comments, std::vector<std::string>{" hello"});
}

TEST(SseParser, OnRetryIsCalledAsSoonAsAValidRetryLineIsRead)
{
  Recorder recorder;
  sse::Parser parser(recorder);
  EXPECT_TRUE(parser.feed("retry: 100\n"));
  EXPECT_EQ(recorder.retries, std::vector<std::uint64_t>{100});
  EXPECT_TRUE(parser.feed("retry: x\nretry:\nretry: -1\nretry: 200\n\n"));
  EXPECT_EQ(recorder.retries, (std::vector<std::uint64_t>{100, 200}));
  EXPECT_EQ(recorder.ndjson, ""); // a block with only retry dispatches nothing
  EXPECT_TRUE(parser.feed("retry: 007\ndata: a\n\ndata: b\n\n"));
  EXPECT_EQ(recorder.retries, (std::vector<std::uint64_t>{100, 200, 7}));
  EXPECT_EQ(recorder.ndjson, "{\"event\":\"message\",\"data\":\"a\",\"retry\":7}\n"
                             "{\"event\":\"message\",\"data\":\"b\"}\n");
}

TEST(SseParser, LastEventIdPersistsAndIgnoresNul)
{
  Recorder recorder;
  sse::Parser parser(recorder);
  EXPECT_TRUE(parser.feed("id: 5\n\n"));
  EXPECT_EQ(parser.last_event_id(), "5");
  EXPECT_TRUE(parser.feed(std::string_view("id: 6\0\n\n", 8)));
  EXPECT_EQ(parser.last_event_id(), "5");
  EXPECT_TRUE(parser.feed("id\n\n"));
  EXPECT_EQ(parser.last_event_id(), "");
  EXPECT_EQ(parser.event_count(), 0U);
}

TEST(SseParser, AnIdOfAnUnfinishedBlockIsNotTheLastEventIdString)
{
  // A connection dropped in the middle of a block: resuming from "2" would skip event b.
  Recorder recorder;
  sse::Parser parser(recorder);
  EXPECT_TRUE(parser.feed("id: 1\ndata: a\n\nid: 2\ndata: b"));
  EXPECT_EQ(parser.last_event_id(), "1");
  parser.finish();
  EXPECT_EQ(parser.last_event_id(), "1");
  EXPECT_TRUE(parser.feed("data: b again\n\n")); // the resumed stream keeps id 1
  EXPECT_EQ(recorder.ndjson, "{\"event\":\"message\",\"data\":\"a\",\"id\":\"1\"}\n"
                             "{\"event\":\"message\",\"data\":\"b again\",\"id\":\"1\"}\n");
}

TEST(SseParser, FinishDiscardsTheUnterminatedBlock)
{
  Recorder recorder;
  sse::Parser parser(recorder);
  EXPECT_TRUE(parser.feed("data: a\n\ndata: b\ndata: c"));
  parser.finish();
  EXPECT_EQ(recorder.ndjson, "{\"event\":\"message\",\"data\":\"a\"}\n");
  EXPECT_EQ(parser.event_count(), 1U);
}

TEST(SseParser, WholeAndSplitAgreeOnALongStream)
{
  // Many events, cut into chunks of every size from 1 to 17 bytes.
  std::string input;
  std::string expected;
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(i);
    input += "id: " + n + "\r\nevent: e" + n + "\rdata: " + n + "\ndata:\r\n\n";
    expected += "{\"event\":\"e" + n + "\",\"data\":\"" + n + "\\n\",\"id\":\"" + n + "\"}\n";
  }
  EXPECT_EQ(parse_whole(input), expected);
  const std::string_view view = input;
  for (std::size_t size = 1; size <= 17; ++size) {
    std::vector<std::string_view> chunks;
    for (std::size_t at = 0; at < view.size(); at += size) {
      chunks.push_back(view.substr(at, size));
    }
    const Outcome outcome = parse_chunks(chunks, true);
    EXPECT_EQ(outcome.ndjson, expected) << "chunks of " << size;
    EXPECT_EQ(outcome.raw, input) << "chunks of " << size;
  }
}

} // namespace
