// JSON Pointer (RFC 6901): validity, escapes, array indexes and lookups.

#include "json/pointer.hpp"

#include "util/error.hpp"

#include <gtest/gtest.h>

namespace {

using json = ::json::Value;

TEST(JsonPointer, TellsValidFromMalformed)
{
  for (const char* valid : {"", "/", "/a", "/a/b", "/~0", "/~1", "/a~0b~1c", "//", "/-"}) {
    EXPECT_EQ(::json::pointer_problem(valid), "") << valid;
  }
  EXPECT_EQ(::json::pointer_problem("a"), "a JSON pointer must be empty or start with '/'");
  for (const char* bad : {"/~", "/~2", "/a~", "/~a"}) {
    EXPECT_EQ(::json::pointer_problem(bad), "'~' must be followed by '0' or '1' in a JSON pointer")
      << bad;
  }
  EXPECT_THROW(::json::split_pointer("x"), util::Error);
}

TEST(JsonPointer, UnescapesTokensOnce)
{
  // "~01" is "~1" unescaped once, never "/".
  EXPECT_EQ(::json::split_pointer("/a~1b/c~0d/~01/"),
            (std::vector<std::string>{"a/b", "c~d", "~1", ""}));
  std::string pointer;
  ::json::append_token(pointer, "a/b~c");
  ::json::append_token(pointer, "");
  EXPECT_EQ(pointer, "/a~1b~0c/");
  EXPECT_EQ(::json::split_pointer(pointer), (std::vector<std::string>{"a/b~c", ""}));
  EXPECT_EQ(::json::parent_pointer("/a/b"), "/a");
  EXPECT_EQ(::json::parent_pointer("/a"), "");
  EXPECT_EQ(::json::parent_pointer(""), "");
}

TEST(JsonPointer, ArrayIndexesHaveNoLeadingZeros)
{
  EXPECT_EQ(::json::array_index("0"), 0U);
  EXPECT_EQ(::json::array_index("10"), 10U);
  for (const char* bad : {"", "01", "-", "-1", "1a", " 1", "+1", "99999999999999999999999"}) {
    EXPECT_FALSE(::json::array_index(bad)) << bad;
  }
}

TEST(JsonPointer, FindsValuesAsRfc6901Section5)
{
  const json document = json::parse(R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2,
    "e^f": 3, "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})");
  const std::vector<std::pair<std::string, json>> cases = {
    {"", document}, {"/foo", json::parse(R"(["bar","baz"])")}, {"/foo/0", "bar"}, {"/", 0},
    {"/a~1b", 1}, {"/c%d", 2}, {"/e^f", 3}, {"/g|h", 4}, {"/i\\j", 5}, {"/k\"l", 6}, {"/ ", 7},
    {"/m~0n", 8},
  };
  for (const auto& [pointer, value] : cases) {
    const json* found = ::json::find_pointer(document, pointer);
    ASSERT_NE(found, nullptr) << pointer;
    EXPECT_EQ(*found, value) << pointer;
  }
  for (const char* missing : {"/nope", "/foo/2", "/foo/-", "/foo/01", "/foo/0/x", "x", "/~2"}) {
    EXPECT_EQ(::json::find_pointer(document, missing), nullptr) << missing;
  }
}

} // namespace
