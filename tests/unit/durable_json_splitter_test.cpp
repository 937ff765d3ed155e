// durable::JsonArraySplitter: a JSON array body arriving in pieces, split into its elements,
// whatever the element kinds, whitespace and chunk boundaries; malformed bodies are errors.

#include "durable/protocol/json_splitter.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using Messages = std::vector<std::string>;

constexpr std::size_t k_max = 1 << 20;

// Splits BODY fed in the given CHUNK sizes (the rest in one piece), then finishes.
Messages split_in(std::string_view body, const std::vector<std::size_t>& chunks, std::size_t max = k_max)
{
  durable::JsonArraySplitter splitter(max);
  Messages messages;
  auto collect = [&](std::string_view message) { messages.emplace_back(message); };
  for (const std::size_t size : chunks) {
    const std::size_t n = std::min(size, body.size());
    splitter.feed(body.substr(0, n), collect);
    body.remove_prefix(n);
  }
  splitter.feed(body, collect);
  splitter.finish();
  return messages;
}

Messages split(std::string_view body, std::size_t max = k_max)
{
  return split_in(body, {}, max);
}

Messages split_bytewise(std::string_view body)
{
  return split_in(body, std::vector<std::size_t>(body.size(), 1));
}

// The error split() throws for BODY, fed whole or byte by byte.
util::Errc error_of(std::string_view body, bool bytewise = false, std::size_t max = k_max)
{
  try {
    if (bytewise) {
      split_in(body, std::vector<std::size_t>(body.size(), 1), max);
    } else {
      split(body, max);
    }
  } catch (const util::Error& e) {
    EXPECT_NE(std::string(e.what()), "") << body;
    return e.code();
  }
  ADD_FAILURE() << "no error for " << body << (bytewise ? " (byte by byte)" : "");
  return util::Errc::runtime;
}

const std::string k_every_kind = R"([{"a":1,"b":[2,{"c":"]"}]},[1,[2,[3]]],"plain","q\"uote","back\\slash\\","br[ack]{et}s, and, commas","\\\"",-12.5e+3,0,true,false,null,{},[],""])";

const Messages k_every_kind_messages = {
  R"({"a":1,"b":[2,{"c":"]"}]})",
  R"([1,[2,[3]]])",
  R"("plain")",
  R"("q\"uote")",
  R"("back\\slash\\")",
  R"("br[ack]{et}s, and, commas")",
  R"("\\\"")",
  "-12.5e+3",
  "0",
  "true",
  "false",
  "null",
  "{}",
  "[]",
  R"("")",
};

TEST(DurableJsonSplitter, SplitsEveryKindOfElement)
{
  EXPECT_EQ(split(k_every_kind), k_every_kind_messages);
}

TEST(DurableJsonSplitter, EmptyArraysHaveNoElements)
{
  EXPECT_TRUE(split("[]").empty());
  EXPECT_TRUE(split(" \r\n\t[ \n ]\n ").empty());
  EXPECT_TRUE(split_bytewise(" [ ] ").empty());
}

TEST(DurableJsonSplitter, WhitespaceAnywhereIsDroppedAroundElements)
{
  const std::string body = " \n[ \t{ \"a\" : [ 1 , 2 ] } ,\r\n  \"x y\"\n,  3 ,[ ]\n,\tnull ] \n";
  const Messages expected = {"{ \"a\" : [ 1 , 2 ] }", "\"x y\"", "3", "[ ]", "null"};
  EXPECT_EQ(split(body), expected);
  EXPECT_EQ(split_bytewise(body), expected);
}

TEST(DurableJsonSplitter, ByteByByteGivesTheSameAsWhole)
{
  EXPECT_EQ(split_bytewise(k_every_kind), k_every_kind_messages);
}

TEST(DurableJsonSplitter, RandomSplitsGiveTheSameAsWhole)
{
  const std::string body = " [ " + k_every_kind.substr(1, k_every_kind.size() - 2)
                           + " , \"\\u00e9\\n\" , {\"k\" : \"v\\\\\"} ] ";
  const Messages whole = split(body);
  ASSERT_EQ(whole.size(), k_every_kind_messages.size() + 2);
  EXPECT_EQ(whole.back(), "{\"k\" : \"v\\\\\"}");
  std::mt19937 random(12345);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::size_t> chunks;
    std::size_t total = 0;
    while (total < body.size()) {
      const std::size_t size = std::uniform_int_distribution<std::size_t>(0, 12)(random);
      chunks.push_back(size);
      total += size;
    }
    EXPECT_EQ(split_in(body, chunks), whole) << "round " << round;
  }
}

TEST(DurableJsonSplitter, MessagesArriveAsSoonAsTheyAreComplete)
{
  durable::JsonArraySplitter splitter(k_max);
  Messages messages;
  auto collect = [&](std::string_view message) { messages.emplace_back(message); };
  splitter.feed("[{\"a\":", collect);
  EXPECT_TRUE(messages.empty());
  splitter.feed("1},", collect);
  EXPECT_EQ(messages, Messages{"{\"a\":1}"});
  splitter.feed("2", collect);
  EXPECT_EQ(messages.size(), 1U); // "2" might continue as "23"
  splitter.feed("3]", collect);
  EXPECT_EQ(messages, (Messages{"{\"a\":1}", "23"}));
  splitter.finish();
}

TEST(DurableJsonSplitter, ABodyThatIsNotAnArrayIsBadInput)
{
  for (const char* body : {"{\"a\":1}", "1", "\"[1]\"", "null", "x[1]"}) {
    EXPECT_EQ(error_of(body), util::Errc::bad_input) << body;
    EXPECT_EQ(error_of(body, true), util::Errc::bad_input) << body;
  }
}

TEST(DurableJsonSplitter, MissingOrExtraElementsAreBadInput)
{
  for (const char* body : {"[1,]", "[,1]", "[1 2]", "[1,,2]", "[ , ]", "[1,2,]"}) {
    EXPECT_EQ(error_of(body), util::Errc::bad_input) << body;
    EXPECT_EQ(error_of(body, true), util::Errc::bad_input) << body;
  }
}

TEST(DurableJsonSplitter, InvalidElementsAreBadInput)
{
  for (const char* body : {"[tru]", "[nul]", "[{\"a\"}]", "[{\"a\":1]", "[\"a\" \"b\"]", "[01]",
                           "[{]}]", "[[}]", "[1}"}) {
    EXPECT_EQ(error_of(body), util::Errc::bad_input) << body;
    EXPECT_EQ(error_of(body, true), util::Errc::bad_input) << body;
  }
}

TEST(DurableJsonSplitter, TruncatedBodiesFailAtFinish)
{
  for (const char* body : {"", "  ", "[", "[ ", "[1", "[1,", "[1, 2", "[\"a]", "[\"a\\\"]",
                           "[{\"a\":[1,2]}", "[[1,2],[3"}) {
    durable::JsonArraySplitter splitter(k_max);
    Messages messages;
    EXPECT_NO_THROW(splitter.feed(body, [&](std::string_view m) { messages.emplace_back(m); }))
      << body;
    try {
      splitter.finish();
      ADD_FAILURE() << "finish() accepted " << body;
    } catch (const util::Error& e) {
      EXPECT_EQ(e.code(), util::Errc::bad_input) << body;
    }
  }
}

TEST(DurableJsonSplitter, DataAfterTheArrayIsBadInput)
{
  for (const char* body : {"[1]x", "[1] [2]", "[]]", "[1],", "[] {}"}) {
    EXPECT_EQ(error_of(body), util::Errc::bad_input) << body;
    EXPECT_EQ(error_of(body, true), util::Errc::bad_input) << body;
  }
  EXPECT_EQ(split("[1] \r\n\t "), Messages{"1"}); // whitespace after it is fine
}

TEST(DurableJsonSplitter, ElementsOverTheMaximumAreBadInput)
{
  EXPECT_EQ(split("[\"1234\",{\"a\":1}]", 7), (Messages{"\"1234\"", "{\"a\":1}"}));
  EXPECT_EQ(error_of("[\"12345\"]", false, 6), util::Errc::bad_input);
  EXPECT_EQ(error_of("[1,\"12345\",2]", true, 6), util::Errc::bad_input);
  // A large element is refused before it is complete: the splitter does not buffer it all.
  durable::JsonArraySplitter splitter(10);
  const auto ignore = [](std::string_view) {};
  splitter.feed("[\"", ignore);
  EXPECT_THROW(splitter.feed(std::string(11, 'x'), ignore), util::Error);
}

// The messages of BODY joined with '|', or "error: " and what split() threw.
std::string split_or_error(std::string_view body, std::size_t max)
{
  try {
    std::string joined;
    for (const auto& message : split(body, max)) {
      joined += (joined.empty() ? "" : "|") + message;
    }
    return joined;
  } catch (const util::Error& e) {
    return std::string("error: ") + e.what();
  }
}

TEST(DurableJsonSplitter, AnElementOfExactlyTheMaximumIsAcceptedWhateverWhitespaceSurroundsIt)
{
  // The limit is on the element; the whitespace around it is not part of the message.
  EXPECT_EQ(split_or_error("[\"1234\"]", 6), "\"1234\"");
  EXPECT_EQ(split_or_error("[  \"1234\"]", 6), "\"1234\"");
  EXPECT_EQ(split_or_error("[1,  \"1234\"]", 6), "1|\"1234\"");
  EXPECT_EQ(split_or_error("[\"1234\"  ]", 6), "\"1234\"");
  EXPECT_EQ(split_or_error("[\"1234\" , 1]", 6), "\"1234\"|1");
  EXPECT_EQ(split_or_error("[\n  \"1234\"\n,\n  \"5678\"\n]\n", 6), "\"1234\"|\"5678\"");
}

TEST(DurableJsonSplitter, ResetStartsANewBody)
{
  durable::JsonArraySplitter splitter(k_max);
  Messages messages;
  auto collect = [&](std::string_view message) { messages.emplace_back(message); };
  splitter.feed("[1,2]", collect);
  splitter.finish();
  EXPECT_THROW(splitter.feed("[3]", collect), util::Error); // a second array in one body
  splitter.reset();
  splitter.feed("[3]", collect);
  splitter.finish();
  EXPECT_EQ(messages, (Messages{"1", "2", "3"}));

  // A body cut off inside a string, then reset: no state leaks into the next body.
  splitter.reset();
  splitter.feed("[\"a\\", collect);
  splitter.reset();
  splitter.feed("[{\"b\":\"]\"}, [4]]", collect);
  splitter.finish();
  EXPECT_EQ(messages, (Messages{"1", "2", "3", "{\"b\":\"]\"}", "[4]"}));

  // After an error too.
  EXPECT_THROW(splitter.feed("[1 2]", collect), util::Error);
  splitter.reset();
  EXPECT_THROW(splitter.finish(), util::Error); // nothing read yet
  splitter.feed("[]", collect);
  splitter.finish();
}

} // namespace
