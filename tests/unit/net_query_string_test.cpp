// net::query_values: the one reader of query strings (the hub's lastEventId, the durable
// server's offset, live and cursor).

#include "net/query_string.hpp"

#include <gtest/gtest.h>

namespace {

using Values = std::vector<std::optional<std::string>>;

TEST(NetQueryString, EveryValueOfANameInOrder)
{
  EXPECT_EQ(net::query_values("offset=1&live=sse&offset=2", "offset"), (Values{"1", "2"}));
  EXPECT_EQ(net::query_values("offset=1&live=sse", "live"), (Values{"sse"}));
  EXPECT_EQ(net::query_values("offset=1", "cursor"), Values{});
  EXPECT_EQ(net::query_values("", "offset"), Values{});
}

TEST(NetQueryString, KeysAndValuesAreDecodedAsAFormEncodesThem)
{
  EXPECT_EQ(net::query_values("b=hello+world&c=Ab%2B", "b"), (Values{"hello world"}));
  EXPECT_EQ(net::query_values("b=hello+world&c=Ab%2B", "c"), (Values{"Ab+"}));
  EXPECT_EQ(net::query_values("off%73et=5", "offset"), (Values{"5"}));
  EXPECT_EQ(net::query_values("x=a=b", "x"), (Values{"a=b"})) << "split at the first '='";
}

TEST(NetQueryString, AKeyWithoutAValueHasTheEmptyValue)
{
  EXPECT_EQ(net::query_values("d&e=", "d"), (Values{""}));
  EXPECT_EQ(net::query_values("d&e=", "e"), (Values{""}));
  EXPECT_EQ(net::query_values("&&d&", "d"), (Values{""}));
}

TEST(NetQueryString, AMalformedValueIsNotAnAbsentOne)
{
  EXPECT_EQ(net::query_values("offset=%zz", "offset"), (Values{std::nullopt}));
  EXPECT_EQ(net::query_values("offset=%4", "offset"), (Values{std::nullopt}));
  EXPECT_EQ(net::query_values("%zz=1", "%zz"), Values{}) << "a malformed key names nothing";
}

} // namespace
