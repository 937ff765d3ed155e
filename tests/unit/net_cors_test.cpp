// net::CorsPolicy: which origins --cors lets in, and the headers their answers carry.

#include "net/cors.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string header(const net::Headers& headers, const std::string& name)
{
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return "(none)";
}

TEST(NetCors, NoOriginIsAllowedByDefault)
{
  const net::CorsPolicy none;
  const std::string page = "http://evil.example";
  EXPECT_FALSE(none.allows(&page));
  EXPECT_TRUE(none.allows(nullptr)); // not a page: curl, an SDK
  EXPECT_TRUE(none.response_headers(nullptr, "X").empty());
  EXPECT_NE(none.refusal(page).find("'http://evil.example'"), std::string::npos);
}

TEST(NetCors, NamedOriginsAreEchoedWithVary)
{
  const auto policy =
    net::CorsPolicy::parse({"http://a.example, HTTP://B.example:8080/", "http://c.example"});
  const std::string b = "http://b.example:8080";
  const std::string other = "http://b.example:9090";
  EXPECT_TRUE(policy.allows(&b));
  EXPECT_FALSE(policy.allows(&other));
  const auto headers = policy.response_headers(&b, "Stream-Next-Offset");
  EXPECT_EQ(header(headers, "Access-Control-Allow-Origin"), b);
  EXPECT_EQ(header(headers, "Access-Control-Allow-Credentials"), "true");
  EXPECT_EQ(header(headers, "Access-Control-Expose-Headers"), "Stream-Next-Offset");
  EXPECT_EQ(header(headers, "Vary"), "Origin");
  // Without an Origin: only Vary, so a cache keeps the answers apart.
  const auto plain = policy.response_headers(nullptr, "Stream-Next-Offset");
  ASSERT_EQ(plain.size(), 1U);
  EXPECT_EQ(header(plain, "Vary"), "Origin");
}

TEST(NetCors, StarAllowsEveryOrigin)
{
  const auto policy = net::CorsPolicy::parse({"*"});
  const std::string page = "null";
  EXPECT_TRUE(policy.allows(&page));
  const auto headers = policy.response_headers(&page);
  EXPECT_EQ(header(headers, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(headers, "Access-Control-Allow-Credentials"), "(none)");
}

TEST(NetCors, PreflightAllowsTheMethodsAndHeaders)
{
  const auto policy = net::CorsPolicy::parse({"http://a.example"});
  net::HttpRequest request;
  request.method = "OPTIONS";
  request.headers = {{"origin", "http://a.example"},
                     {"access-control-request-method", "GET"},
                     {"access-control-request-headers", "last-event-id"}};
  EXPECT_TRUE(net::is_preflight(request));
  auto headers = policy.preflight_headers(request, "GET, HEAD", {});
  EXPECT_EQ(header(headers, "Access-Control-Allow-Methods"), "GET, HEAD");
  EXPECT_EQ(header(headers, "Access-Control-Allow-Headers"), "last-event-id");
  EXPECT_EQ(header(headers, "Access-Control-Max-Age"), "86400");
  headers = policy.preflight_headers(request, "GET", "Authorization");
  EXPECT_EQ(header(headers, "Access-Control-Allow-Headers"), "Authorization");
}

TEST(NetCors, RefusesWhatIsNotAnOrigin)
{
  for (const char* value : {"app.example", "http://", "http://a.example/path", "://a", "http://a:x",
                            "http://user@a.example", ""}) {
    EXPECT_THROW(net::CorsPolicy::parse({value}), util::Error) << value;
  }
  EXPECT_NO_THROW(net::CorsPolicy::parse({"http://[::1]:5173", "null", "https://a.example"}));
}

} // namespace
