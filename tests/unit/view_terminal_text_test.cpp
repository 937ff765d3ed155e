// What a terminal is shown of untrusted text: every character visible, none obeyed.

#include "view/terminal_text.hpp"

#include <gtest/gtest.h>

namespace {

std::string text(std::string_view in)
{
  std::string out;
  view::append_terminal_text(out, in);
  return out;
}

std::string json_string(std::string_view in)
{
  std::string out;
  view::append_terminal_json_string(out, in);
  return out;
}

TEST(TerminalText, PrintableTextPassesThrough)
{
  EXPECT_EQ(text("plain text, \"quotes\" and \\ and \ttab"), "plain text, \"quotes\" and \\ and \ttab");
  EXPECT_EQ(text("\u00e9\u4e2d\U0001F600\u00a0"), "\u00e9\u4e2d\U0001F600\u00a0");
  EXPECT_EQ(text(""), "");
}

TEST(TerminalText, C0ControlsAndDeleteAreBytes)
{
  EXPECT_EQ(text("a\x1b[31mred"), "a\\x1b[31mred");
  EXPECT_EQ(text(std::string_view("\0\r\n\x7f", 4)), "\\x00\\x0d\\x0a\\x7f");
}

TEST(TerminalText, C1ControlsAreCodePoints)
{
  EXPECT_EQ(text("a\u009b31mb"), "a\\u009b31mb"); // CSI: what ESC [ is in one character
  EXPECT_EQ(text("\u0080\u0085\u009f"), "\\u0080\\u0085\\u009f");
}

TEST(TerminalText, BidirectionalControlsAreCodePoints)
{
  EXPECT_EQ(text("x\u202ey"), "x\\u202ey");
  EXPECT_EQ(text("\u202a\u202b\u202c\u202d"), "\\u202a\\u202b\\u202c\\u202d");
  EXPECT_EQ(text("\u2066\u2067\u2068\u2069"), "\\u2066\\u2067\\u2068\\u2069");
  EXPECT_EQ(text("\u200e\u200f\u061c"), "\\u200e\\u200f\\u061c");
  EXPECT_EQ(text("\u2065\u2070\u200d"), "\u2065\u2070\u200d"); // the neighbours are not controls
}

TEST(TerminalText, InvalidUtf8IsShownByteByByte)
{
  EXPECT_EQ(text("a\x9b" "31m"), "a\\x9b31m"); // a lone C1 byte, which some terminals obey
  EXPECT_EQ(text("\xff\xc2"), "\\xff\\xc2");
  EXPECT_EQ(text("\xe2\x80"), "\\xe2\\x80"); // a sequence cut short
  EXPECT_EQ(text("\xed\xa0\x80"), "\\xed\\xa0\\x80"); // a surrogate
}

TEST(TerminalText, JsonStringsUseJsonEscapes)
{
  EXPECT_EQ(json_string("a\"b\\c\n\r\t"), R"("a\"b\\c\n\r\t")");
  EXPECT_EQ(json_string("a\x1b[31m\x7f\u009b\u202e\u061c"),
            R"("a\u001b[31m\u007f\u009b\u202e\u061c")");
  EXPECT_EQ(json_string("\u4e2d\xff"), "\"\u4e2d\\xff\"");
}

} // namespace
