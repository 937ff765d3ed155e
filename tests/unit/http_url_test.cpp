#include "http/url.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace {

TEST(HttpUrl, SplitsSchemeHostPortAndTarget)
{
  const auto url = http::parse_url("https://Example.ORG:8443/a/b?c=d#frag");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_EQ(url.host, "example.org");
  EXPECT_EQ(url.port, 8443);
  EXPECT_EQ(url.target, "/a/b?c=d");
  EXPECT_EQ(url.origin(), "https://example.org:8443");
}

TEST(HttpUrl, DefaultsPortAndPath)
{
  EXPECT_EQ(http::parse_url("http://h").port, 80);
  EXPECT_EQ(http::parse_url("https://h").port, 443);
  EXPECT_EQ(http::parse_url("http://h").target, "/");
  EXPECT_EQ(http::parse_url("http://h?x=1").target, "/?x=1");
}

TEST(HttpUrl, AcceptsIpv6Literals)
{
  const auto url = http::parse_url("http://[::1]:4437/v1/stream/x");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 4437);
  EXPECT_EQ(url.origin(), "http://[::1]:4437");
}

TEST(HttpUrl, RejectsWhatItCannotUse)
{
  for (const char* text : {"example.org", "ftp://h/", "http://", "http://h:0/", "http://h:99999/",
                           "http://h:x/", "http://[::1/", "http://u:p@h/", "http://h/a b"}) {
    EXPECT_THROW(http::parse_url(text), util::Error) << text;
  }
}

} // namespace
