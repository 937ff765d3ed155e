// The small rules of the Durable Streams wire format: offsets, TTL, timestamps, counters,
// cursors, base64, JSON messages and SSE framing.

#include "durable/protocol/headers.hpp"
#include "durable/protocol/offset.hpp"
#include "durable/protocol/producer_stamp.hpp"
#include "durable/protocol/rules.hpp"
#include "util/error.hpp"

#include "json_test_support.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

using durable::OffsetRequest;

TEST(DurableOffset, FormatsTwoSixteenDigitFields)
{
  EXPECT_EQ(durable::format_offset(0), "0000000000000000_0000000000000000");
  EXPECT_EQ(durable::format_offset(1234), "0000000000000000_0000000000001234");
}

TEST(DurableOffset, ReadsWhatItIssuesAndTheTwoSpecialValues)
{
  EXPECT_EQ(durable::parse_offset("-1")->kind, OffsetRequest::Kind::start);
  EXPECT_EQ(durable::parse_offset("now")->kind, OffsetRequest::Kind::now);
  const auto parsed = durable::parse_offset(durable::format_offset(77));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->kind, OffsetRequest::Kind::position);
  EXPECT_EQ(parsed->position, 77U);
}

TEST(DurableOffset, RefusesEverythingElse)
{
  for (const char* bad : {"", "0", "_1", "1_", "0,1", "0 1", "0_1_2", "a_1", "1_b", "-2", "NOW",
                          "0_-1", "../0_1", "0_1\n", "99999999999999999999_1"}) {
    EXPECT_FALSE(durable::parse_offset(bad)) << bad;
  }
}

TEST(DurableProtocol, MediaTypesIgnoreCaseAndParameters)
{
  EXPECT_EQ(durable::media_type(" Application/JSON ; charset=utf-8"), "application/json");
  EXPECT_TRUE(durable::is_json("APPLICATION/JSON"));
  EXPECT_TRUE(durable::is_text("text/plain; charset=utf-8"));
  EXPECT_TRUE(durable::is_text("application/json"));
  EXPECT_FALSE(durable::is_text("application/octet-stream"));
  EXPECT_FALSE(durable::is_text("image/png"));
}

TEST(DurableProtocol, TtlIsPlainDigitsWithoutALeadingZero)
{
  EXPECT_EQ(durable::parse_ttl("0"), 0U);
  EXPECT_EQ(durable::parse_ttl("3600"), 3600U);
  for (const char* bad : {"", "00060", "+60", "60.5", "1e3", "-1", "abc", " 60"}) {
    EXPECT_FALSE(durable::parse_ttl(bad)) << bad;
  }
}

TEST(DurableProtocol, TimestampsAreRfc3339InAnyZone)
{
  EXPECT_EQ(durable::parse_timestamp("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(durable::parse_timestamp("1970-01-01T01:00:01+01:00"), 1000);
  EXPECT_EQ(durable::parse_timestamp("1970-01-01T00:00:00.25Z"), 250);
  EXPECT_EQ(durable::parse_timestamp("2026-11-21T10:00:00+00:00"),
            durable::parse_timestamp("2026-11-21T10:00:00Z"));
  for (const char* bad : {"", "2026-11-21", "2026-11-21T10:00:00", "2026-13-01T00:00:00Z",
                          "2026-11-21T25:00:00Z", "not-a-timestamp", "2026-11-21T10:00:00+0100"}) {
    EXPECT_FALSE(durable::parse_timestamp(bad)) << bad;
  }
}

TEST(DurableProtocol, ProducerCountersArePlainDigitsUpToTwoToThe53)
{
  EXPECT_EQ(durable::parse_counter("0"), 0U);
  EXPECT_EQ(durable::parse_counter("9007199254740991"), 9007199254740991U);
  for (const char* bad : {"", "1abc", "0xyz", "1e3", "-1", "9007199254740992", " 1"}) {
    EXPECT_FALSE(durable::parse_counter(bad)) << bad;
  }
}

TEST(DurableProtocol, CursorsCountIntervalsAndOnlyGrow)
{
  // 2024-10-09T00:00:00Z plus 100 intervals of 20 s.
  const std::int64_t now = (1728432000LL + 100 * 20) * 1000;
  EXPECT_EQ(durable::next_cursor(now, std::nullopt), "100");
  EXPECT_EQ(durable::next_cursor(now, std::string("42")), "100");
  for (int i = 0; i < 50; ++i) {
    const auto next = std::stoll(durable::next_cursor(now, std::string("100")));
    EXPECT_GT(next, 100);
    EXPECT_LE(next, 100 + 180);
  }
}

TEST(DurableProtocol, Base64IsPadded)
{
  EXPECT_EQ(durable::base64(""), "");
  EXPECT_EQ(durable::base64("f"), "Zg==");
  EXPECT_EQ(durable::base64("fo"), "Zm8=");
  EXPECT_EQ(durable::base64("foo"), "Zm9v");
  EXPECT_EQ(durable::base64(std::string("\xff\x00\x10", 3)), "/wAQ");
}

TEST(DurableProtocol, JsonBodiesFlattenOneLevel)
{
  EXPECT_EQ(durable::json_messages("[[1,2],[3,4]]"), (std::vector<std::string>{"[1,2]", "[3,4]"}));
  EXPECT_EQ(durable::json_messages("[[[1]]]"), (std::vector<std::string>{"[[1]]"}));
  EXPECT_EQ(durable::json_messages(R"({ "a" : 1 })"), (std::vector<std::string>{R"({"a":1})"}));
  EXPECT_TRUE(durable::json_messages("[]").empty());
  EXPECT_THROW(durable::json_messages("{nope"), util::Error);
}

TEST(DurableProtocol, AJsonBodyNestedDeeperThanTheLimitIsRefusedNotACrash)
{
  // 65k levels: nlohmann's recursive dump() overflowed the server's stack.
  const std::size_t depth = 65000;
  const std::string body = std::string(depth, '[') + std::string(depth, ']');
  expect_refused_as_too_deep([&] { durable::json_messages(body); },
                             "a body nested " + std::to_string(depth) + " deep");
}

TEST(DurableProtocol, SseEventsKeepEveryPayloadLineInsideTheEvent)
{
  EXPECT_EQ(durable::sse_event("data", "a\r\nb\rc\nd"),
            "event: data\ndata:a\ndata:b\ndata:c\ndata:d\n\n");
  EXPECT_EQ(durable::sse_event("control", "{}"), "event: control\ndata:{}\n\n");
  EXPECT_EQ(durable::sse_event("data", ""), "event: data\ndata:\n\n");
}

} // namespace

namespace {

std::string random_bytes(std::mt19937& random, std::size_t size)
{
  std::string bytes(size, '\0');
  for (auto& byte : bytes) {
    byte = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random));
  }
  return bytes;
}

TEST(DurableProtocol, Base64DecodesWhatItEncodes)
{
  EXPECT_EQ(durable::decode_base64(""), "");
  EXPECT_EQ(durable::decode_base64("Zg=="), "f");
  EXPECT_EQ(durable::decode_base64("Zm8="), "fo");
  EXPECT_EQ(durable::decode_base64("Zm9v"), "foo");
  EXPECT_EQ(durable::decode_base64("/wAQ"), std::string("\xff\x00\x10", 3));
  std::mt19937 random(7);
  for (std::size_t size = 0; size <= 64; ++size) {
    for (int round = 0; round < 4; ++round) {
      const std::string bytes = random_bytes(random, size);
      const std::string encoded = durable::base64(bytes);
      EXPECT_EQ(encoded.size(), (size + 2) / 3 * 4);
      EXPECT_EQ(durable::decode_base64(encoded), bytes) << "size " << size;
    }
  }
  std::string all;
  for (int c = 0; c < 256; ++c) {
    all += static_cast<char>(c);
  }
  EXPECT_EQ(durable::decode_base64(durable::base64(all)), all);
}

TEST(DurableProtocol, Base64IgnoresLineBreaksAnywhere)
{
  EXPECT_EQ(durable::decode_base64("Zm9v\nYmFy"), "foobar");
  EXPECT_EQ(durable::decode_base64("Zm\r\n9vYm\rFy\n"), "foobar");
  EXPECT_EQ(durable::decode_base64("\r\nZg=\n="), "f");
  EXPECT_EQ(durable::decode_base64("\n\r\n"), "");
  std::mt19937 random(11);
  for (std::size_t size = 0; size <= 64; ++size) {
    const std::string bytes = random_bytes(random, size);
    const std::string encoded = durable::base64(bytes);
    std::string broken;
    for (const char c : encoded) {
      broken += c;
      const int r = std::uniform_int_distribution<int>(0, 5)(random);
      broken += r == 0 ? "\n" : r == 1 ? "\r\n" : r == 2 ? "\r" : "";
    }
    EXPECT_EQ(durable::decode_base64(broken), bytes) << broken;
  }
}

TEST(DurableProtocol, Base64RefusesWhatIsNotPaddedBase64)
{
  // Characters outside the alphabet, including the URL-safe ones and spaces.
  for (const char* text : {"Zm9v!", "Zm 9v", "Zm9v ", "Zm-v", "Zm_v", "Zm9\tv", "Zm9v\x01", "é==="}) {
    EXPECT_FALSE(durable::decode_base64(text)) << text;
  }
  EXPECT_FALSE(durable::decode_base64(std::string("Zm9\0", 4)));
  // Padding in the wrong place or in the wrong amount.
  for (const char* text : {"Zg=", "Zg===", "Z===", "====", "=", "==", "Zm9v=", "Zm9v====", "=Zg=",
                           "Zm=v", "Zg==Zg==", "Zg==Zm9v", "Zm8==", "Zm9=v"}) {
    EXPECT_FALSE(durable::decode_base64(text)) << text;
  }
  // Lengths that are not a multiple of four.
  for (const char* text : {"Z", "Zg", "Zm8", "Zm9vY", "Zm9vYm", "Zm9vYmF"}) {
    EXPECT_FALSE(durable::decode_base64(text)) << text;
  }
}

} // namespace

namespace {

TEST(DurableProtocol, HeaderNamesHaveALowerCaseFormForRequestLookups)
{
  // net::HttpRequest keeps request header names in lower case; the server looks them up so.
  EXPECT_EQ(std::string_view(durable::header::lower(durable::header::k_next_offset)),
            "stream-next-offset");
  EXPECT_EQ(std::string_view(durable::header::lower(durable::header::k_producer_id)), "producer-id");
  static_assert(std::string_view(durable::header::lower(durable::header::k_ttl)) == "stream-ttl");
}

} // namespace

namespace {

TEST(DurableProtocol, AProducerStampIsThreeHeadersAndOneTuple)
{
  const durable::ProducerStamp stamp{"p1", 2, 7};
  EXPECT_EQ(stamp.headers(), (std::vector<std::pair<std::string, std::string>>{
                               {"Producer-Id", "p1"}, {"Producer-Epoch", "2"}, {"Producer-Seq", "7"}}));
  EXPECT_EQ(stamp.tuple(), "p1 2 7");
}

} // namespace
