#include "util/units.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;

TEST(UtilUnits, ParsesSizesWithDecimalAndBinaryUnits)
{
  EXPECT_EQ(util::parse_size("0"), 0U);
  EXPECT_EQ(util::parse_size("512"), 512U);
  EXPECT_EQ(util::parse_size("64KiB"), 64U * 1024);
  EXPECT_EQ(util::parse_size("10MB"), 10U * 1000 * 1000);
  EXPECT_EQ(util::parse_size("16mib"), 16U * 1024 * 1024);
  EXPECT_EQ(util::parse_size("2GiB"), 2ULL * 1024 * 1024 * 1024);
  EXPECT_EQ(util::parse_size("3k"), 3000U);
}

TEST(UtilUnits, RejectsMalformedSizes)
{
  for (const char* text : {"", "MiB", "-1", "1.5MiB", "10 MB", "10XB", "99999999999999999999",
                           "18446744073709551615GiB"}) {
    EXPECT_FALSE(util::parse_size(text)) << text;
  }
}

TEST(UtilUnits, ParsesDurations)
{
  EXPECT_EQ(util::parse_duration("500ms"), 500ms);
  EXPECT_EQ(util::parse_duration("15s"), 15s);
  EXPECT_EQ(util::parse_duration("2m"), 2min);
  EXPECT_EQ(util::parse_duration("1h"), 1h);
  EXPECT_EQ(util::parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(util::parse_duration("3"), 3s);
  for (const char* text : {"", "s", "-1s", "1d", "1e3s", "."}) {
    EXPECT_FALSE(util::parse_duration(text)) << text;
  }
}

TEST(UtilUnits, BoundsDurationsInsteadOfOverflowing)
{
  EXPECT_EQ(util::parse_duration("1000000000000ms"), util::k_max_duration);
  EXPECT_EQ(util::parse_duration("1.5ms"), 2ms);
  EXPECT_EQ(util::parse_duration(".5s"), 500ms);
  EXPECT_FALSE(util::parse_duration("1000000000001ms"));
  EXPECT_FALSE(util::parse_duration("100000000h"));
  // More digits than a double holds: refused, not an exception.
  EXPECT_FALSE(util::parse_duration("1" + std::string(400, '0') + "s"));
  EXPECT_FALSE(util::parse_duration("0." + std::string(400, '0') + "1e"));
  EXPECT_EQ(util::duration_from_ms(1000), 1s);
  EXPECT_EQ(util::duration_from_ms(1'000'000'000'000), util::k_max_duration);
  EXPECT_FALSE(util::duration_from_ms(1'000'000'000'001));
  EXPECT_FALSE(util::duration_from_ms(UINT64_MAX));
}

TEST(UtilUnits, FormatsSizesInTheLargestExactUnit)
{
  EXPECT_EQ(util::format_size(16 * 1024 * 1024), "16MiB");
  EXPECT_EQ(util::format_size(1536), "1536B");
  EXPECT_EQ(util::format_size(1000), "1000B");
  EXPECT_EQ(util::format_size(0), "0B");
  EXPECT_EQ(util::parse_size(util::format_size(123 * 1024)), 123U * 1024);
}

TEST(UtilUnits, FormatsDurationsInTheLargestExactUnit)
{
  using std::chrono::milliseconds;
  EXPECT_EQ(util::format_duration(milliseconds(30'000)), "30s");
  EXPECT_EQ(util::format_duration(milliseconds(120'000)), "2m");
  EXPECT_EQ(util::format_duration(milliseconds(7'200'000)), "2h");
  EXPECT_EQ(util::format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(util::format_duration(milliseconds(0)), "0ms");
  EXPECT_EQ(util::parse_duration(util::format_duration(milliseconds(90'000))), milliseconds(90'000));
}

} // namespace
