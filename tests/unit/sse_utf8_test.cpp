#include "sse/utf8.hpp"

#include <gtest/gtest.h>

namespace {

std::string decode(std::string_view bytes)
{
  std::string out;
  sse::append_utf8(out, bytes);
  return out;
}

const std::string fffd = "\xEF\xBF\xBD";

TEST(SseUtf8, CopiesValidTextUnchanged)
{
  const std::string text = "ascii, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80, \xF4\x8F\xBF\xBF";
  EXPECT_EQ(decode(text), text);
  EXPECT_TRUE(sse::is_valid_utf8(text));
}

// The cases of the WHATWG Encoding standard's decoder: one U+FFFD per maximal invalid subpart.
TEST(SseUtf8, ReplacesEachMaximalInvalidSubpartOnce)
{
  EXPECT_EQ(decode("\x80"), fffd);
  EXPECT_EQ(decode("a\xBF" "b"), "a" + fffd + "b");
  EXPECT_EQ(decode("\xC0\xAF"), fffd + fffd);         // overlong lead C0 is never valid
  EXPECT_EQ(decode("\xE0\x80\xAF"), fffd + fffd + fffd); // E0 needs A0..BF next
  EXPECT_EQ(decode("\xED\xA0\x80"), fffd + fffd + fffd); // surrogates are invalid
  EXPECT_EQ(decode("\xE2\x82"), fffd);                // truncated at the end: one
  EXPECT_EQ(decode("\xE2\x82" "a"), fffd + "a");      // truncated by ASCII: one, then ASCII
  EXPECT_EQ(decode("\xF0\x9F\x98"), fffd);
  EXPECT_EQ(decode("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd); // above U+10FFFF
  EXPECT_EQ(decode("\xF5\xFF"), fffd + fffd);
  EXPECT_EQ(decode("\xC3\xC3\xA9"), fffd + "\xC3\xA9");
  EXPECT_FALSE(sse::is_valid_utf8("\xE2\x82"));
}

TEST(SseUtf8, HandlesLongMixedRunsAroundTheWordFastPath)
{
  const std::string ascii(37, 'x');
  EXPECT_EQ(decode(ascii + "\xFF" + ascii + "\xC3\xA9" + ascii), ascii + fffd + ascii + "\xC3\xA9" + ascii);
}

} // namespace
