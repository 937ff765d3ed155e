// The fast JSON reader: the values nlohmann's parser gives, strict errors with byte offsets,
// a depth limit instead of a stack overflow, and the same verdict as nlohmann on mutated input.

#include "json/value.hpp"

#include "util/error.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using json = ::json::Value;

std::string error_of(std::string_view text)
{
  try {
    ::json::parse_value(text);
  } catch (const util::Error& e) {
    EXPECT_EQ(e.code(), util::Errc::bad_input);
    return e.what();
  }
  return "no error";
}

TEST(JsonValue, ReadsWhatNlohmannReads)
{
  const std::vector<std::string> texts = {
    "null", "true", "false", "0", "-0", "1", "-1", "123456789012", "18446744073709551615",
    "-9223372036854775808", "18446744073709551616", "-9223372036854775809", "1.5", "-2.5e-3",
    "1E+2", "0.1", "1e308", R"("")", R"("a\"b\\c\/d\b\f\n\r\t")", R"("\u00e9\u4e2d\ud83d\ude00")",
    "\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"", "[]", "{}", " [ 1 , [ ] , { } ] ",
    R"({"b":1,"a":[true,null,{"c":"d"}]})", "\t\r\n 7 \n",
  };
  for (const auto& text : texts) {
    const json ours = ::json::parse_value(text);
    const json theirs = json::parse(text);
    EXPECT_EQ(ours, theirs) << text;
    EXPECT_EQ(ours.type(), theirs.type()) << text;
    EXPECT_EQ(ours.dump(), theirs.dump()) << text;
  }
}

TEST(JsonValue, KeepsTheLastOfRepeatedMembers)
{
  EXPECT_EQ(::json::parse_value(R"({"a":1,"b":2,"a":{"x":3}})"), json::parse(R"({"a":{"x":3},"b":2})"));
}

TEST(JsonValue, UnderflowIsZeroAndOverflowAnError)
{
  EXPECT_EQ(::json::parse_value("1e-400"), json(0.0));
  EXPECT_EQ(error_of("[1e400]"), "invalid JSON: number out of range at byte 1");
  EXPECT_EQ(error_of("-1e400"), "invalid JSON: number out of range at byte 0");
}

TEST(JsonValue, ErrorsNameWhatAndWhere)
{
  const std::vector<std::pair<std::string, std::string>> cases = {
    {"", "unexpected end of input at byte 0"},
    {"nul", "unexpected character at byte 0"},
    {"[1,]", "unexpected character at byte 3"},
    {"[1 2]", "expected ',' or ']' at byte 3"},
    {R"({"a" 1})", "expected ':' at byte 5"},
    {R"({"a":1,})", "expected a member name at byte 7"},
    {R"({1:2})", "expected a member name at byte 1"},
    {"01", "unexpected text after the value at byte 1"},
    {"1.", "invalid number at byte 2"},
    {"-", "invalid number at byte 1"},
    {"1e", "invalid number at byte 2"},
    {"+1", "unexpected character at byte 0"},
    {"\"abc", "unterminated string at byte 4"},
    {"\"a\tb\"", "control character in a string at byte 2"},
    {R"("\x")", "invalid escape at byte 2"},
    {R"("\u12")", "unexpected end of input in a \\u escape at byte 3"},
    {R"("\u12x4")", "invalid \\u escape at byte 3"},
    {R"("\ud800")", "lone surrogate in a \\u escape at byte 7"},
    {R"("\udc00")", "lone surrogate in a \\u escape at byte 7"},
    {R"("\ud800\u0041")", "lone surrogate in a \\u escape at byte 13"},
    {"\"\xff\"", "invalid UTF-8 in a string at byte 1"},
    {"\"\xc0\xaf\"", "invalid UTF-8 in a string at byte 1"},
    {"\"\xed\xa0\x80\"", "invalid UTF-8 in a string at byte 1"},
    {"\"\xe2\x82\"", "invalid UTF-8 in a string at byte 1"},
    {"[1] x", "unexpected text after the value at byte 4"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_EQ(error_of(text), "invalid JSON: " + message) << text;
  }
}

TEST(JsonValue, DeepNestingIsAnErrorNotAStackOverflow)
{
  EXPECT_NO_THROW(::json::parse_value(std::string(1000, '[') + std::string(1000, ']')));
  EXPECT_EQ(error_of(std::string(1001, '[') + std::string(1001, ']')),
            "invalid JSON: nested more than 1000 levels deep at byte 1000");
  EXPECT_EQ(error_of(std::string(1000000, '[')),
            "invalid JSON: nested more than 1000 levels deep at byte 1000");
  std::string objects;
  for (int i = 0; i < 2000; ++i) {
    objects += "{\"a\":";
  }
  EXPECT_EQ(error_of(objects), "invalid JSON: nested more than 1000 levels deep at byte 5000");
}

// Random single-byte mutations of valid documents: both parsers accept or both refuse, and
// what both accept is the same value.
TEST(JsonValue, AgreesWithNlohmannOnMutatedInput)
{
  const std::vector<std::string> seeds = {
    R"({"a":[1,2.5,-3e2,true,false,null],"b":{"c":"d\n\u00e9"}})",
    R"([{"op":"replace","path":"/k1/n","value":17}])",
    R"("caf\u00e9 \ud83d\ude00 é")",
  };
  const std::string alphabet = "{}[]\",:.-+eE0123456789tfnul\\ /\x01\x7f\xc3\xa9\xff";
  std::mt19937 random(7);
  int compared = 0;
  for (int round = 0; round < 30000; ++round) {
    std::string text = seeds[random() % seeds.size()];
    for (int edits = 1 + static_cast<int>(random() % 3); edits > 0; --edits) {
      const std::size_t at = random() % text.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
      case 0:
        text[at] = c;
        break;
      case 1:
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
        break;
      default:
        text.erase(at, 1);
        break;
      }
      if (text.empty()) {
        text = "0";
      }
    }
    bool ours_ok = true;
    json ours;
    try {
      ours = ::json::parse_value(text);
    } catch (const util::Error&) {
      ours_ok = false;
    }
    bool theirs_ok = true;
    json theirs;
    try {
      theirs = json::parse(text);
    } catch (const json::exception&) {
      theirs_ok = false;
    }
    ASSERT_EQ(ours_ok, theirs_ok) << text;
    if (ours_ok) {
      ASSERT_EQ(ours, theirs) << text;
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(JsonValue, ReadsEventLinesWithoutBuildingThem)
{
  ::json::EventLine line;
  ::json::read_event_line(R"({"event":"patch","id":"7","data":"[1]","retry":5})", line);
  EXPECT_EQ(line.event, ::json::EventLine::Kind::string);
  EXPECT_EQ(line.event_text, "patch");
  EXPECT_EQ(line.data, ::json::EventLine::Kind::string);
  EXPECT_EQ(line.data_text, "[1]");
  EXPECT_FALSE(line.comment);
  ::json::read_event_line(R"({"data":{"a":[1]},"event":null})", line);
  EXPECT_EQ(line.event, ::json::EventLine::Kind::null);
  EXPECT_EQ(line.data, ::json::EventLine::Kind::other);
  EXPECT_EQ(line.data_value, json::parse(R"({"a":[1]})"));
  ::json::read_event_line(R"({"comment":"hi"})", line);
  EXPECT_EQ(line.data, ::json::EventLine::Kind::missing);
  EXPECT_TRUE(line.comment);
  ::json::read_event_line(R"({"event":3,"data":null})", line);
  EXPECT_EQ(line.event, ::json::EventLine::Kind::other);
  EXPECT_STREQ(line.other_type, "number");
  EXPECT_EQ(line.data, ::json::EventLine::Kind::null);
  try {
    ::json::read_event_line("[1]", line);
    FAIL();
  } catch (const util::Error& e) {
    EXPECT_STREQ(e.what(), "not a JSON object but array");
  }
  EXPECT_THROW(::json::read_event_line(R"({"data":"x"} {})", line), util::Error);
  EXPECT_THROW(::json::read_event_line(R"({"data":"x",})", line), util::Error);
}

TEST(JsonValue, MeasuresDepthWithoutRecursion)
{
  EXPECT_EQ(::json::depth_of(json(1)), 0U);
  EXPECT_EQ(::json::depth_of(json::array()), 1U);
  EXPECT_EQ(::json::depth_of(json::parse(R"({"a":[1,{"b":[]}],"c":{}})")), 4U);
  // Far deeper than any stack could recurse; the measure stops once past STOP.
  json deep = json::array();
  for (int i = 0; i < 300000; ++i) {
    json outer = json::array();
    outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  EXPECT_EQ(::json::depth_of(deep, 5000), 5001U);
  EXPECT_EQ(::json::depth_of(deep), 300001U);
}

TEST(JsonValue, SizeIsAboutTheLengthOfTheCompactText)
{
  for (const char* text : {"null", "true", "12345", "-7", R"("abc")", "[]", "{}", "[1,2,3]",
                           R"({"a":[1,{"bc":"d"}],"e":{}})"}) {
    const json value = json::parse(text);
    EXPECT_EQ(::json::size_of(value), value.dump().size()) << text;
  }
  // Counting stops once past LIMIT: the answer is then only known to be more.
  const json big(std::vector<std::string>(100000, "x"));
  EXPECT_GT(::json::size_of(big, 100), 100U);
  EXPECT_EQ(::json::size_of(big), big.dump().size());
}

} // namespace
