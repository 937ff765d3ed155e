#include "json/ndjson.hpp"
#include "json/value.hpp"
#include "util/error.hpp"

#include "json_test_support.hpp"

#include <gtest/gtest.h>

namespace {

std::string encode(const sse::EventView& event, bool json_data = false)
{
  std::string out;
  json::append_event(out, event, json_data);
  return out;
}

sse::Event decode(std::string_view line)
{
  return std::get<sse::Event>(json::parse_event_line(line));
}

TEST(JsonNdjson, WritesKeysInOrderAndLeavesOutEmptyIdAndUnsetRetry)
{
  EXPECT_EQ(encode({"message", "hi", "", std::nullopt, {}}), R"({"event":"message","data":"hi"})");
  EXPECT_EQ(encode({"tick", "1", "42", 3000, {}}),
            R"({"event":"tick","data":"1","id":"42","retry":3000})");
}

TEST(JsonNdjson, EscapesWhatJsonRequiresAndNothingElse)
{
  static constexpr char bytes[] = "q\" b\\ \b\f\n\r\t \x01\x1f\0 \x7f \xE2\x80\xA8 \xC3\xA9";
  const std::string data(bytes, sizeof bytes - 1);
  EXPECT_EQ(encode({"message", data, "", std::nullopt, {}}),
            "{\"event\":\"message\",\"data\":\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f\\u0000 \x7f "
            "\xE2\x80\xA8 \xC3\xA9\"}");
}

TEST(JsonNdjson, EmbedsValidJsonDataMinifiedWithNumbersKept)
{
  EXPECT_EQ(encode({"message", "{ \"a\" : [1.50, 2e3],\n \"s\": \"x y\" }", "", {}, {}}, true),
            R"({"event":"message","data":{"a":[1.50,2e3],"s":"x y"}})");
  EXPECT_EQ(encode({"message", "not json", "", {}, {}}, true),
            R"({"event":"message","data":"not json"})");
  EXPECT_EQ(encode({"message", "", "", {}, {}}, true), R"({"event":"message","data":""})");
  EXPECT_EQ(encode({"message", "[DONE]", "", {}, {}}, true), R"({"event":"message","data":"[DONE]"})");
  EXPECT_EQ(encode({"message", "42", "", {}, {}}, true), R"({"event":"message","data":42})");
}

TEST(JsonNdjson, ReadsEventObjects)
{
  EXPECT_EQ(decode(R"({"event":"tick","data":"x","id":"7","retry":10})"),
            (sse::Event{"tick", "x", "7", 10}));
  EXPECT_EQ(decode(R"({"data":"only"})"), (sse::Event{"message", "only", "", std::nullopt}));
  EXPECT_EQ(decode(R"({"data":{"a":1},"id":5,"t":123})"), (sse::Event{"message", R"({"a":1})", "5", {}}));
  EXPECT_EQ(decode(R"({"event":"","data":null})"), (sse::Event{"message", "", "", {}}));
}

TEST(JsonNdjson, ReadsCommentObjects)
{
  const auto parsed = json::parse_event_line(R"({"comment":" ping"})");
  ASSERT_TRUE(std::holds_alternative<json::Comment>(parsed));
  EXPECT_EQ(std::get<json::Comment>(parsed).text, " ping");
}

TEST(JsonNdjson, RejectsMalformedLinesWithAReason)
{
  const std::pair<const char*, const char*> cases[] = {
    {"[1,2]", "not a JSON object but array"},
    {"\"text\"", "not a JSON object but string"},
    {"{\"data\":", "invalid JSON: unexpected end of input at byte 8"},
    {R"({"data":"x","id":[1]})", "\"id\" is not a string"},
    {R"({"data":"x","event":1})", "\"event\" is not a string"},
    {R"({"data":"x","retry":-5})", "\"retry\" is not a non-negative integer"},
    {R"({"data":"x","retry":1.5})", "\"retry\" is not a non-negative integer"},
    {R"({"comment":3})", "\"comment\" is not a string"},
  };
  for (const auto& [line, reason] : cases) {
    try {
      json::parse_event_line(line);
      ADD_FAILURE() << "accepted " << line;
    } catch (const util::Error& e) {
      EXPECT_EQ(e.code(), util::Errc::bad_input);
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
  }
}

TEST(JsonNdjson, RefusesDataNestedDeeperThanTheLimitInsteadOfOverflowingTheStack)
{
  // Deep enough that nlohmann's recursive dump() of the data exhausts the stack.
  const std::size_t depth = 200000;
  const std::string line = "{\"data\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
  expect_refused_as_too_deep([&] { json::parse_event_line(line); },
                             "data nested " + std::to_string(depth) + " deep");
  // At the limit (the line's object is one level) it is read and written back.
  const std::size_t most = json::k_max_depth - 1;
  const std::string fits = "{\"data\":" + std::string(most, '[') + std::string(most, ']') + "}";
  EXPECT_EQ(std::get<sse::Event>(json::parse_event_line(fits)).data.size(), 2 * most);
}

TEST(JsonNdjson, EmbedsJsonDataOnlyWithinTheDepthLimit)
{
  const std::size_t most = json::k_max_depth - 1;
  const std::string fits = std::string(most, '[') + std::string(most, ']');
  const std::string deep = "[" + fits + "]";
  std::string out;
  EXPECT_TRUE(json::append_minified(out, fits));
  EXPECT_EQ(out, fits);
  out.clear();
  EXPECT_FALSE(json::append_minified(out, "[" + deep + "]"));
  EXPECT_EQ(out, "");
}

} // namespace
