#include "util/spelling.hpp"

#include <gtest/gtest.h>

#include <array>

namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions)
{
  EXPECT_EQ(util::edit_distance("", ""), 0U);
  EXPECT_EQ(util::edit_distance("tail", "tail"), 0U);
  EXPECT_EQ(util::edit_distance("tial", "tail"), 2U); // a swap is two substitutions
  EXPECT_EQ(util::edit_distance("tai", "tail"), 1U);
  EXPECT_EQ(util::edit_distance("taill", "tail"), 1U);
  EXPECT_EQ(util::edit_distance("", "serve"), 5U);
  EXPECT_EQ(util::edit_distance("kitten", "sitting"), 3U);
}

TEST(Closest, PicksTheNearestWithinTheDistanceOrNothing)
{
  constexpr std::array<std::string_view, 4> names = {"tail", "parse", "patch", "serve"};
  EXPECT_EQ(util::closest("tial", names), "tail");
  EXPECT_EQ(util::closest("pach", names), "patch");
  EXPECT_EQ(util::closest("sreve", names), "serve");
  EXPECT_EQ(util::closest("frobnicate", names), std::nullopt);
  EXPECT_EQ(util::closest("pat", names, 1), std::nullopt); // parse and patch are both 2 away
  EXPECT_EQ(util::closest("pat", names, 2), "patch");      // the nearer of the two
}

} // namespace
