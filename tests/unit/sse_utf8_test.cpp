#include "sse/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <tuple>

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

TEST(SseUtf8, DecodesOneSequenceAtATime)
{
  const auto at = [](std::string_view bytes, std::size_t i) {
    const auto sequence = sse::utf8_sequence_at(bytes, i);
    return std::make_tuple(static_cast<std::uint32_t>(sequence.code_point), sequence.length,
                           sequence.valid);
  };
  EXPECT_EQ(at("a", 0), std::make_tuple(0x61U, std::size_t{1}, true));
  EXPECT_EQ(at("x\xC2\x9B", 1), std::make_tuple(0x9BU, std::size_t{2}, true));
  EXPECT_EQ(at("\xE2\x80\xAE", 0), std::make_tuple(0x202EU, std::size_t{3}, true));
  EXPECT_EQ(at("\xF0\x9F\x98\x80", 0), std::make_tuple(0x1F600U, std::size_t{4}, true));
  // The maximal invalid subpart, as append_utf8 replaces it.
  EXPECT_EQ(at("\xE2\x82" "a", 0), std::make_tuple(0xFFFDU, std::size_t{2}, false));
  EXPECT_EQ(at("\x9B", 0), std::make_tuple(0xFFFDU, std::size_t{1}, false));
}

} // namespace
