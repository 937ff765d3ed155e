// durable::Reader against a fake transport: catch-up until the tail, long-poll and SSE live
// reads, the query it sends, and exactly-once delivery across broken connections.

#include "durable/protocol/rules.hpp"
#include "durable/client/reader.hpp"
#include "durable_test_support.hpp"
#include "fake_transport.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using durable::Live;
using durable::Reader;
using test_http::FakeTransport;
using test_http::Outcome;
using test_http::refused;
using test_http::Scripted;
using durable_test::contains;
using durable_test::error_of;
using durable_test::status_of;

constexpr const char* k_path = "/v1/stream/s";

durable::ReaderOptions options(Live live, std::string offset = "-1")
{
  durable::ReaderOptions o;
  o.request.url = http::parse_url(std::string("http://127.0.0.1:1") + k_path);
  o.offset = std::move(offset);
  o.live = live;
  o.initial_backoff = 1ms;
  o.max_backoff = 1ms;
  o.seed = 1;
  o.max_retries = 5; // a bug that retries forever fails instead of hanging
  return o;
}

struct Recorder : durable::ReaderHandler {
  std::vector<std::string> units;    // "message@offset" or "bytes@offset", as delivered
  std::string bytes;                 // all bytes, joined
  std::vector<std::string> progress; // "offset", "+" when up to date
  std::vector<std::string> retries;
  std::size_t stop_after = 0; // done() after this many units

  void on_message(std::string_view json, const std::string& next_offset) override
  {
    units.push_back(std::string(json) + "@" + next_offset);
  }
  void on_bytes(std::string_view data, const std::string& next_offset) override
  {
    units.push_back(std::string(data) + "@" + next_offset);
    bytes += data;
  }
  void on_progress(const std::string& next_offset, bool up_to_date) override
  {
    progress.push_back(next_offset + (up_to_date ? "+" : ""));
  }
  void on_retry(std::chrono::milliseconds, const std::string& why, util::Setting) override
  {
    retries.push_back(why);
  }
  bool done() const override { return stop_after != 0 && units.size() >= stop_after; }
};

using Units = std::vector<std::string>;

// A catch-up or long-poll 200.
Scripted chunk(const std::string& type, const std::string& next, std::vector<std::string> body,
               bool up_to_date = false, http::Headers extra = {})
{
  Scripted scripted{200, {{"Content-Type", type}, {"Stream-Next-Offset", next}}, std::move(body),
                    Outcome::completed};
  if (up_to_date) {
    scripted.headers.emplace_back("Stream-Up-To-Date", "true");
  }
  scripted.headers.insert(scripted.headers.end(), extra.begin(), extra.end());
  return scripted;
}

Scripted text(const std::string& next, std::vector<std::string> body, bool up_to_date = false,
              http::Headers extra = {})
{
  return chunk("text/plain", next, std::move(body), up_to_date, std::move(extra));
}

Scripted json(const std::string& next, std::vector<std::string> body, bool up_to_date = false,
              http::Headers extra = {})
{
  return chunk("application/json", next, std::move(body), up_to_date, std::move(extra));
}

// A long-poll 204.
Scripted no_content(const std::string& next, http::Headers extra = {})
{
  Scripted scripted{204, {{"Stream-Next-Offset", next}, {"Stream-Up-To-Date", "true"}}, {},
                    Outcome::completed};
  scripted.headers.insert(scripted.headers.end(), extra.begin(), extra.end());
  return scripted;
}

// An SSE response with the given pieces of body.
Scripted sse(std::vector<std::string> body, Outcome end = Outcome::completed, http::Headers extra = {})
{
  Scripted scripted{200, {{"Content-Type", "text/event-stream"}}, std::move(body), end};
  scripted.headers.insert(scripted.headers.end(), extra.begin(), extra.end());
  return scripted;
}

std::string data_event(std::string_view payload)
{
  return durable::sse_event("data", payload);
}

std::string control_event(std::string_view json_text)
{
  return durable::sse_event("control", json_text);
}

Scripted failure(int status, http::Headers headers = {})
{
  return {status, std::move(headers), {"nope"}, Outcome::completed};
}

// The query of each request sent.
std::vector<std::string> queries(const FakeTransport& transport)
{
  std::vector<std::string> out;
  for (const auto& request : transport.requests) {
    const auto& target = request.url.target;
    const auto mark = target.find('?');
    EXPECT_EQ(target.substr(0, mark), k_path);
    out.push_back(mark == std::string::npos ? "" : target.substr(mark + 1));
  }
  return out;
}

TEST(DurableReader, CatchUpFollowsChunksUntilUpToDate)
{
  FakeTransport transport;
  transport.responses = {text("o1", {"ab"}), text("o2", {"c", "d"}), text("o3", {"ef"}, true)};
  Recorder recorder;
  Reader reader(transport, options(Live::none), recorder);
  EXPECT_EQ(reader.run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.bytes, "abcdef");
  EXPECT_EQ(recorder.units, (Units{"ab@o1", "c@o2", "d@o2", "ef@o3"}));
  EXPECT_EQ(recorder.progress, (Units{"o1", "o2", "o3+"}));
  EXPECT_EQ(queries(transport), (Units{"offset=-1", "offset=o1", "offset=o2"}));
  EXPECT_EQ(reader.offset(), "o3");
  EXPECT_EQ(reader.content_type(), "text/plain");
  for (const auto& request : transport.requests) {
    EXPECT_EQ(request.method, "GET");
    EXPECT_FALSE(request.body);
  }
}

TEST(DurableReader, CatchUpSplitsJsonBodiesIntoMessages)
{
  FakeTransport transport;
  transport.responses = {json("o1", {"[1,{\"a\"", ":\"],\"}", ",[2,3]]"}),
                         json("o2", {" [ \"x\" ] "}, true)};
  Recorder recorder;
  Reader reader(transport, options(Live::none, "now"), recorder);
  EXPECT_EQ(reader.run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.units, (Units{"1@o1", "{\"a\":\"],\"}@o1", "[2,3]@o1", "\"x\"@o2"}));
  EXPECT_EQ(queries(transport), (Units{"offset=now", "offset=o1"}));
  EXPECT_EQ(reader.content_type(), "application/json");
}

TEST(DurableReader, AnEmptyTailIsUpToDateForLiveNone)
{
  FakeTransport transport;
  transport.responses = {json("o1", {"[]"}, true)};
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::none, "o1"), recorder).run(), Reader::End::up_to_date);
  EXPECT_TRUE(recorder.units.empty());
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(DurableReader, StreamClosedEndsTheRead)
{
  for (const Live live : {Live::none, Live::long_poll, Live::sse}) {
    FakeTransport transport;
    transport.responses = {text("o1", {"ab"}),
                           text("o2", {"cd"}, true, {{"Stream-Closed", "true"}}), text("o3", {"zz"})};
    Recorder recorder;
    EXPECT_EQ(Reader(transport, options(live), recorder).run(), Reader::End::closed);
    EXPECT_EQ(recorder.bytes, "abcd");
    EXPECT_EQ(transport.requests.size(), 2U);
  }
}

TEST(DurableReader, UpToDateIsNotTheEndOfALiveRead)
{
  FakeTransport transport;
  transport.responses = {text("o1", {"ab"}, true), no_content("o1", {{"Stream-Closed", "true"}})};
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::long_poll), recorder).run(), Reader::End::closed);
  EXPECT_EQ(transport.requests.size(), 2U);
}

TEST(DurableReader, LongPollFollowsOffsetsAndEchoesTheCursor)
{
  FakeTransport transport;
  transport.responses = {text("o1", {"ab"}, true),
                         no_content("o2", {{"Stream-Cursor", "100"}}),
                         text("o3", {"cd"}, true, {{"Stream-Cursor", "101"}}),
                         no_content("o3", {{"Stream-Cursor", "102"}}),
                         no_content("o3", {{"Stream-Closed", "true"}})};
  Recorder recorder;
  Reader reader(transport, options(Live::long_poll), recorder);
  EXPECT_EQ(reader.run(), Reader::End::closed);
  EXPECT_EQ(recorder.bytes, "abcd");
  EXPECT_EQ(queries(transport),
            (Units{"offset=-1", "live=long-poll&offset=o1", "cursor=100&live=long-poll&offset=o2",
                   "cursor=101&live=long-poll&offset=o3", "cursor=102&live=long-poll&offset=o3"}));
  EXPECT_EQ(recorder.progress, (Units{"o1+", "o2+", "o3+", "o3+", "o3+"}));
  EXPECT_EQ(reader.offset(), "o3");
  EXPECT_TRUE(recorder.retries.empty());
}

TEST(DurableReader, QueriesAreSortedAndEscaped)
{
  EXPECT_EQ(durable::read_query("-1", std::nullopt, std::nullopt), "offset=-1");
  EXPECT_EQ(durable::read_query("0_1", "sse", std::string("42")), "cursor=42&live=sse&offset=0_1");
  EXPECT_EQ(durable::read_query("a/b c&d=e?f%g+h", "long-poll", std::string("1 2")),
            "cursor=1%202&live=long-poll&offset=a%2Fb%20c%26d%3De%3Ff%25g%2Bh");
  EXPECT_EQ(durable::read_query("A-z_0.9~", std::nullopt, std::nullopt), "offset=A-z_0.9~");

  FakeTransport transport;
  transport.responses = {text("x/y z", {"ab"}), text("done", {}, true)};
  auto o = options(Live::none, "a&b");
  o.request.url = http::parse_url(std::string("http://127.0.0.1:1") + k_path + "?token=t");
  Recorder recorder;
  Reader(transport, o, recorder).run();
  ASSERT_EQ(transport.requests.size(), 2U);
  EXPECT_EQ(transport.requests[0].url.target, std::string(k_path) + "?token=t&offset=a%26b");
  EXPECT_EQ(transport.requests[1].url.target, std::string(k_path) + "?token=t&offset=x%2Fy%20z");
}

TEST(DurableReader, SseHoldsDataUntilItsControlEvent)
{
  FakeTransport transport;
  transport.responses = {
    text("o1", {"ab"}, true),
    sse({data_event("cd"),
         control_event(R"({"streamNextOffset":"o2","streamCursor":"7","upToDate":true})"),
         data_event("ef") + data_event("g"), "\n" + data_event("h").substr(0, 8), data_event("h").substr(8),
         control_event(R"({"streamNextOffset":"o3","streamClosed":true})"), data_event("zz")})};
  Recorder recorder;
  Reader reader(transport, options(Live::sse), recorder);
  EXPECT_EQ(reader.run(), Reader::End::closed);
  EXPECT_EQ(recorder.units, (Units{"ab@o1", "cd@o2", "ef@o3", "g@o3", "h@o3"}));
  EXPECT_EQ(recorder.progress, (Units{"o1+", "o2+", "o3+"}));
  EXPECT_EQ(queries(transport), (Units{"offset=-1", "live=sse&offset=o1"}));
  EXPECT_EQ(http::find_header(transport.requests[1].headers, "Accept"), "text/event-stream");
  EXPECT_FALSE(http::find_header(transport.requests[0].headers, "Accept"));
  EXPECT_EQ(reader.offset(), "o3");
}

TEST(DurableReader, SseIgnoresUnknownEventsAndKeepsTheCursor)
{
  FakeTransport transport;
  transport.responses = {
    text("o1", {}, true),
    sse({durable::sse_event("future", "?"), data_event("a"), ": comment\n\n",
         control_event(R"({"streamNextOffset":"o2","streamCursor":"55"})")}),
    sse({control_event(R"({"streamNextOffset":"o2","streamClosed":true})")})};
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::sse), recorder).run(), Reader::End::closed);
  EXPECT_EQ(recorder.units, (Units{"a@o2"}));
  // The server ended the first response after a control event: resumed at once, cursor echoed.
  EXPECT_EQ(queries(transport), (Units{"offset=-1", "live=sse&offset=o1", "cursor=55&live=sse&offset=o2"}));
  EXPECT_TRUE(recorder.retries.empty());
}

TEST(DurableReader, SseDecodesBase64Payloads)
{
  const std::string binary("\x00\x01\xfe\xff\r\n", 6);
  const std::string encoded = durable::base64(binary + binary); // 16 characters
  FakeTransport transport;
  transport.responses = {
    chunk("application/octet-stream", "o1", {}, true),
    sse({data_event(encoded.substr(0, 8) + "\n" + encoded.substr(8)),
         control_event(R"({"streamNextOffset":"o2","streamClosed":true})")},
        Outcome::completed, {{"Stream-SSE-Data-Encoding", "base64"}})};
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::sse), recorder).run(), Reader::End::closed);
  EXPECT_EQ(recorder.bytes, binary + binary);
}

TEST(DurableReader, SseWithoutTheEncodingHeaderTakesDataAsText)
{
  FakeTransport transport;
  transport.responses = {text("o1", {}, true),
                         sse({data_event("Zm9v"), control_event(R"({"streamNextOffset":"o2","streamClosed":true})")})};
  Recorder recorder;
  Reader(transport, options(Live::sse), recorder).run();
  EXPECT_EQ(recorder.bytes, "Zm9v");
}

TEST(DurableReader, SseBadBase64IsBadInput)
{
  FakeTransport transport;
  transport.responses = {chunk("application/octet-stream", "o1", {}, true),
                         sse({data_event("Zm9v!"), control_event(R"({"streamNextOffset":"o2"})")}, Outcome::completed,
                             {{"Stream-SSE-Data-Encoding", "base64"}})};
  Recorder recorder;
  EXPECT_EQ(error_of([&] { Reader(transport, options(Live::sse), recorder).run(); }).code(),
            util::Errc::bad_input);
  EXPECT_TRUE(recorder.units.empty());
}

TEST(DurableReader, SseJsonDataEventsAreSplitIntoMessages)
{
  FakeTransport transport;
  transport.responses = {
    json("o1", {"[]"}, true),
    sse({data_event("[1,{\"a\":[2]}]"), data_event("[\n\"x\"\n]"),
         control_event(R"({"streamNextOffset":"o2","streamClosed":true,"upToDate":true})")})};
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::sse), recorder).run(), Reader::End::closed);
  EXPECT_EQ(recorder.units, (Units{"1@o2", "{\"a\":[2]}@o2", "\"x\"@o2"}));
}

TEST(DurableReader, AMalformedControlEventIsBadInput)
{
  for (const char* payload : {"{nope", "[]", "\"o2\"", R"({"upToDate":true})", R"({"streamNextOffset":""})",
                              R"({"streamNextOffset":5})", R"({"streamNextOffset":null})"}) {
    FakeTransport transport;
    transport.responses = {text("o1", {}, true), sse({data_event("a"), control_event(payload)}),
                           sse({data_event("a"), control_event(R"({"streamNextOffset":"o2","streamClosed":true})")})};
    Recorder recorder;
    const auto error = error_of([&] { Reader(transport, options(Live::sse), recorder).run(); });
    EXPECT_EQ(error.code(), util::Errc::bad_input) << payload;
    EXPECT_TRUE(contains(error.what(), "control")) << error.what();
    EXPECT_TRUE(recorder.units.empty()) << payload;
    EXPECT_EQ(transport.requests.size(), 2U) << payload;
  }
}

TEST(DurableReader, AnSseResponseThatIsNotAnEventStreamIsBadInput)
{
  FakeTransport transport;
  transport.responses = {text("o1", {}, true), text("o2", {"x"}, true)};
  Recorder recorder;
  EXPECT_EQ(error_of([&] { Reader(transport, options(Live::sse), recorder).run(); }).code(),
            util::Errc::bad_input);
}

TEST(DurableReader, SseBrokenBetweenDataAndControlResumesFromTheOldOffset)
{
  FakeTransport transport;
  transport.responses = {
    text("o1", {}, true),
    sse({data_event("a"), control_event(R"({"streamNextOffset":"o2","streamCursor":"5"})"), data_event("b")},
        Outcome::broken),
    sse({data_event("b"), control_event(R"({"streamNextOffset":"o3","streamCursor":"6"})"), data_event("c")},
        Outcome::broken),
    sse({data_event("c"), control_event(R"({"streamNextOffset":"o4","streamClosed":true})")})};
  Recorder recorder;
  Reader reader(transport, options(Live::sse), recorder);
  EXPECT_EQ(reader.run(), Reader::End::closed);
  EXPECT_EQ(recorder.units, (Units{"a@o2", "b@o3", "c@o4"}));
  EXPECT_EQ(queries(transport), (Units{"offset=-1", "live=sse&offset=o1", "cursor=5&live=sse&offset=o2",
                                       "cursor=6&live=sse&offset=o3"}));
  EXPECT_EQ(recorder.retries.size(), 2U);
}

TEST(DurableReader, SseBrokenBeforeAnyControlResumesFromTheSameOffset)
{
  FakeTransport transport;
  transport.responses = {json("o1", {"[]"}, true), sse({data_event("[1,2]")}, Outcome::broken),
                         sse({data_event("[1,2]"), "event: control\ndata:{\"streamNext"}, Outcome::broken),
                         sse({data_event("[1,2]"), control_event(R"({"streamNextOffset":"o2","streamClosed":true})")})};
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::sse), recorder).run(), Reader::End::closed);
  EXPECT_EQ(recorder.units, (Units{"1@o2", "2@o2"}));
  EXPECT_EQ(queries(transport),
            (Units{"offset=-1", "live=sse&offset=o1", "live=sse&offset=o1", "live=sse&offset=o1"}));
}

TEST(DurableReader, ABrokenCatchUpBodyIsNotDeliveredTwice)
{
  FakeTransport transport;
  transport.responses = {text("o1", {"abc", "de"}, false), text("o1", {"abcd", "efgh"}, true)};
  transport.responses.front().end = Outcome::broken;
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::none), recorder).run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.bytes, "abcdefgh");
  EXPECT_EQ(queries(transport), (Units{"offset=-1", "offset=-1"}));
  EXPECT_EQ(recorder.retries.size(), 1U);
}

TEST(DurableReader, BrokenTwiceThenAnErrorStillDeliversEachByteOnce)
{
  FakeTransport transport;
  transport.responses = {text("o1", {"ab"}), text("o1", {"a", "bcd"}), failure(503),
                         text("o1", {"abcdef"}), text("o2", {"gh"}, true)};
  transport.responses[0].end = Outcome::broken;
  transport.responses[1].end = Outcome::broken;
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::none), recorder).run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.bytes, "abcdefgh");
  EXPECT_EQ(queries(transport), (Units{"offset=-1", "offset=-1", "offset=-1", "offset=-1", "offset=o1"}));
}

TEST(DurableReader, ABrokenJsonBodyIsNotDeliveredTwice)
{
  FakeTransport transport;
  transport.responses = {json("o1", {"[1,{\"a\":", "2},\"thr"}), json("o1", {"[1,{\"a\":2},\"three\",4]"}),
                         json("o2", {"[5]"}, true)};
  transport.responses.front().end = Outcome::broken;
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::none), recorder).run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.units, (Units{"1@o1", "{\"a\":2}@o1", "\"three\"@o1", "4@o1", "5@o2"}));
}

TEST(DurableReader, ALongPollBodyBrokenMidWayIsNotDeliveredTwice)
{
  FakeTransport transport;
  transport.responses = {text("o1", {}, true), text("o2", {"abc"}, true), text("o2", {"abcdef"}, true),
                         no_content("o2", {{"Stream-Closed", "true"}})};
  transport.responses[1].end = Outcome::broken;
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::long_poll), recorder).run(), Reader::End::closed);
  EXPECT_EQ(recorder.bytes, "abcdef");
  EXPECT_EQ(queries(transport), (Units{"offset=-1", "live=long-poll&offset=o1", "live=long-poll&offset=o1",
                                       "live=long-poll&offset=o2"}));
}

TEST(DurableReader, ARetryThatEndsSoonerStillDeliversEachByteOnce)
{
  // The first response broke after 5 bytes; the retry from the same offset ends after 3 (a
  // server or proxy with a smaller chunk size). The 2 bytes after it were delivered already.
  FakeTransport transport;
  transport.responses = {text("o5", {"abcde"}), text("o3", {"abc"}), text("o8", {"defgh"}, true)};
  transport.responses.front().end = Outcome::broken;
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::none), recorder).run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.bytes, "abcdefgh");
}

TEST(DurableReader, NotFoundIsAnHttpStatusError)
{
  for (const int status : {400, 404, 410}) {
    FakeTransport transport;
    transport.responses = {failure(status), text("o1", {}, true)};
    Recorder recorder;
    const auto error = error_of([&] { Reader(transport, options(Live::sse), recorder).run(); });
    EXPECT_EQ(error.code(), util::Errc::http_status) << status;
    EXPECT_TRUE(contains(error.what(), std::to_string(status))) << error.what();
    EXPECT_EQ(transport.requests.size(), 1U) << status;
    transport.responses = {failure(status)};
    EXPECT_EQ(status_of([&] { Reader(transport, options(Live::sse), recorder).run(); }), status);
  }
  FakeTransport live;
  live.responses = {text("o1", {}, true), failure(404)};
  Recorder recorder;
  EXPECT_EQ(error_of([&] { Reader(live, options(Live::long_poll), recorder).run(); }).code(),
            util::Errc::http_status);
  EXPECT_EQ(live.requests.size(), 2U);
}

TEST(DurableReader, UnavailableAndConnectFailuresAreRetried)
{
  FakeTransport transport;
  transport.responses = {failure(503), refused(), failure(429), text("o1", {"ab"}, true)};
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::none), recorder).run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.bytes, "ab");
  EXPECT_EQ(transport.requests.size(), 4U);
  EXPECT_EQ(recorder.retries.size(), 3U);
}

/// A recorder that keeps the wait before each retry.
struct Waits : Recorder {
  std::vector<std::chrono::milliseconds> waits;
  void on_retry(std::chrono::milliseconds wait, const std::string&, util::Setting) override
  {
    waits.push_back(wait);
  }
};

TEST(DurableReader, ARetryAfterOfYearsWaitsNoLongerThanMaxBackoff)
{
  FakeTransport transport;
  transport.responses = {failure(503, {{"Retry-After", "99999999"}}), text("o1", {"ab"}, true)};
  auto o = options(Live::none);
  o.max_backoff = 20ms;
  Waits recorder;
  EXPECT_EQ(Reader(transport, o, recorder).run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.waits, (std::vector<std::chrono::milliseconds>{20ms}));
}

TEST(DurableReader, RetryAfterIsAFloorNotAReplacementForTheWait)
{
  FakeTransport transport;
  // Retry-After: 0 asks for less than the backoff: the backoff stands; 1 s asks for more.
  transport.responses = {failure(503, {{"Retry-After", "0"}}), failure(503, {{"Retry-After", "1"}}),
                         text("o1", {"ab"}, true)};
  auto o = options(Live::none);
  o.initial_backoff = 20ms;
  o.max_backoff = 5s;
  Waits recorder;
  EXPECT_EQ(Reader(transport, o, recorder).run(), Reader::End::up_to_date);
  ASSERT_EQ(recorder.waits.size(), 2U);
  EXPECT_GE(recorder.waits[0], 20ms);
  EXPECT_EQ(recorder.waits[1], 1000ms);
}

TEST(DurableReader, AServerThatNeverMovesOnIsBadInputNotALoop)
{
  // 200, the same offset, no data, no Stream-Up-To-Date: forever (the last response repeats).
  FakeTransport transport;
  transport.responses = {text("o1", {"ab"}), text("o1", {})};
  Recorder recorder;
  const auto error = error_of([&] { Reader(transport, options(Live::long_poll), recorder).run(); });
  EXPECT_EQ(error.code(), util::Errc::bad_input);
  EXPECT_TRUE(contains(error.what(), "10 reads in a row with no data and no progress from offset o1"))
    << error.what();
  EXPECT_EQ(error.where(), std::string("http://127.0.0.1:1") + k_path);
  EXPECT_EQ(recorder.bytes, "ab");
  EXPECT_EQ(transport.requests.size(), 11U);
}

TEST(DurableReader, SseResponsesThatEndAtOnceWithoutProgressAreBadInputNotALoop)
{
  FakeTransport transport;
  transport.responses = {text("o1", {}, true), sse({control_event(R"({"streamNextOffset":"o1"})")})};
  Recorder recorder;
  const auto error = error_of([&] { Reader(transport, options(Live::sse), recorder).run(); });
  EXPECT_EQ(error.code(), util::Errc::bad_input);
  EXPECT_TRUE(contains(error.what(), "10 reads in a row with no data and no progress from offset o1"))
    << error.what();
  EXPECT_EQ(transport.requests.size(), 11U);
}

TEST(DurableReader, SseResponsesThatEndUpToDateAreNotStalls)
{
  FakeTransport transport;
  transport.responses = {text("o1", {}, true)};
  for (int i = 0; i < 30; ++i) {
    transport.responses.push_back(sse({control_event(R"({"streamNextOffset":"o1","upToDate":true})")}));
  }
  transport.responses.push_back(sse({control_event(R"({"streamNextOffset":"o1","streamClosed":true})")}));
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::sse), recorder).run(), Reader::End::closed);
}

TEST(DurableReader, LongPollTimeoutsAreNotStalls)
{
  FakeTransport transport;
  for (int i = 0; i < 30; ++i) {
    transport.responses.push_back(no_content("o1"));
  }
  transport.responses.push_back(text("o2", {"x"}, false, {{"Stream-Closed", "true"}}));
  Recorder recorder;
  EXPECT_EQ(Reader(transport, options(Live::long_poll, "o1"), recorder).run(), Reader::End::closed);
  EXPECT_EQ(recorder.bytes, "x");
}

TEST(DurableReader, GivesUpAfterMaxRetriesWithoutProgress)
{
  for (const Scripted& bad : {failure(503), refused()}) {
    FakeTransport transport;
    transport.responses = {bad};
    auto o = options(Live::none);
    o.max_retries = 2;
    Recorder recorder;
    const auto error = error_of([&] { Reader(transport, o, recorder).run(); });
    EXPECT_EQ(error.code(), util::Errc::runtime);
    EXPECT_TRUE(contains(error.what(), "giving up after 2 retries")) << error.what();
    EXPECT_EQ(transport.requests.size(), 3U);
  }
}

TEST(DurableReader, ProgressResetsTheRetryCount)
{
  FakeTransport transport;
  for (int i = 0; i < 4; ++i) {
    transport.responses.push_back(failure(503));
    transport.responses.push_back(text("o" + std::to_string(i + 1), {"x"}));
  }
  transport.responses.push_back(text("o5", {}, true));
  auto o = options(Live::none);
  o.max_retries = 1;
  Recorder recorder;
  EXPECT_EQ(Reader(transport, o, recorder).run(), Reader::End::up_to_date);
  EXPECT_EQ(recorder.bytes, "xxxx");
}

TEST(DurableReader, WithoutRetryAFailureIsAnError)
{
  FakeTransport transport;
  transport.responses = {failure(503), text("o1", {}, true)};
  auto o = options(Live::none);
  o.retry = false;
  Recorder recorder;
  EXPECT_EQ(error_of([&] { Reader(transport, o, recorder).run(); }).code(), util::Errc::runtime);
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(DurableReader, AHandlerThatIsDoneStopsTheRead)
{
  {
    FakeTransport transport;
    transport.responses = {json("o1", {"[1,2,3]"}), json("o2", {"[4]"}, true)};
    Recorder recorder;
    recorder.stop_after = 2;
    EXPECT_EQ(Reader(transport, options(Live::none), recorder).run(), Reader::End::done);
    EXPECT_EQ(recorder.units, (Units{"1@o1", "2@o1"}));
    EXPECT_EQ(transport.requests.size(), 1U);
  }
  {
    FakeTransport transport;
    transport.responses = {text("o1", {}, true),
                           sse({data_event("a"), data_event("b"), control_event(R"({"streamNextOffset":"o2"})"), data_event("c"),
                                control_event(R"({"streamNextOffset":"o3"})")})};
    Recorder recorder;
    recorder.stop_after = 1;
    EXPECT_EQ(Reader(transport, options(Live::sse), recorder).run(), Reader::End::done);
    EXPECT_EQ(recorder.units, (Units{"a@o2"}));
    EXPECT_EQ(transport.requests.size(), 2U);
  }
}

TEST(DurableReader, AHandlerDoneInsideAnSseBatchIsNotToldTheBatchWasDelivered)
{
  // on_progress promises that everything before its offset was delivered, and the caller saves
  // it as the point to resume from (--cursor-file): "b" must not be skipped on the next run.
  FakeTransport transport;
  transport.responses = {text("o1", {}, true),
                         sse({data_event("a"), data_event("b"), control_event(R"({"streamNextOffset":"o2"})")})};
  Recorder recorder;
  recorder.stop_after = 1;
  Reader reader(transport, options(Live::sse), recorder);
  EXPECT_EQ(reader.run(), Reader::End::done);
  EXPECT_EQ(recorder.units, (Units{"a@o2"}));
  EXPECT_EQ(recorder.progress, (Units{"o1+"}));
  EXPECT_EQ(reader.offset(), "o1");
}

TEST(DurableReader, AHandlerDoneInsideACatchUpBodyKeepsTheOffsetBeforeIt)
{
  FakeTransport transport;
  transport.responses = {json("o1", {"[1,2,3]"}), json("o2", {"[4]"}, true)};
  Recorder recorder;
  recorder.stop_after = 2;
  Reader reader(transport, options(Live::none, "o0"), recorder);
  EXPECT_EQ(reader.run(), Reader::End::done);
  EXPECT_TRUE(recorder.progress.empty());
  EXPECT_EQ(reader.offset(), "o0");
}

TEST(DurableReader, AResponseWithoutANextOffsetIsBadInput)
{
  FakeTransport transport;
  transport.responses = {{200, {{"Content-Type", "text/plain"}}, {"ab"}, Outcome::completed}};
  Recorder recorder;
  EXPECT_EQ(error_of([&] { Reader(transport, options(Live::none), recorder).run(); }).code(),
            util::Errc::bad_input);
  EXPECT_TRUE(recorder.units.empty());
}

TEST(DurableReader, AMalformedJsonBodyIsBadInput)
{
  for (const char* body : {"{\"a\":1}", "[1,]", "[1", "[tru]"}) {
    FakeTransport transport;
    transport.responses = {json("o1", {body}, true)};
    Recorder recorder;
    EXPECT_EQ(error_of([&] { Reader(transport, options(Live::none), recorder).run(); }).code(),
              util::Errc::bad_input)
      << body;
  }
}

TEST(DurableReader, AnInterruptedReaderEnds)
{
  FakeTransport transport;
  transport.responses = {text("o1", {"ab"})};
  Recorder recorder;
  Reader reader(transport, options(Live::sse), recorder);
  reader.interrupt();
  EXPECT_EQ(reader.run(), Reader::End::interrupted);
}

} // namespace
