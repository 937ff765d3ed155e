// net::AllowedHosts: the Host names a server answers (against DNS rebinding).

#include "net/allowed_hosts.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace {

TEST(NetAllowedHosts, LoopbackNamesAndAddressesByDefault)
{
  const net::AllowedHosts hosts;
  for (const char* host : {"localhost", "LOCALHOST:8080", "localhost.", "app.localhost:5173",
                           "127.0.0.1", "127.0.0.1:4437", "[::1]:4437", "[::1]", "10.0.0.7:80"}) {
    EXPECT_TRUE(hosts.allows(host)) << host;
  }
  for (const char* host : {"evil.example", "evil.example:8080", "localhost.evil.example",
                           "evillocalhost", "", ":80", "[::1", "localhost:x", "a b"}) {
    EXPECT_FALSE(hosts.allows(host)) << host;
  }
  EXPECT_NE(hosts.refusal("evil.example:80").find("allow_host evil.example"), std::string::npos);
}

TEST(NetAllowedHosts, TheBoundNameAndTheNamesGiven)
{
  const net::AllowedHosts hosts("devbox", {"Dev.Example", ".corp.example"});
  for (const char* host : {"devbox:8080", "dev.example", "corp.example", "a.b.corp.example:1"}) {
    EXPECT_TRUE(hosts.allows(host)) << host;
  }
  for (const char* host : {"example", "xcorp.example", "other.example"}) {
    EXPECT_FALSE(hosts.allows(host)) << host;
  }
  EXPECT_TRUE(net::AllowedHosts("0.0.0.0", {"*"}).allows("anything.example"));
  EXPECT_FALSE(net::AllowedHosts("0.0.0.0", {}).allows("anything.example"));
}

TEST(NetAllowedHosts, RefusesAMalformedName)
{
  for (const char* name : {"", "dev.example:8000", "a/b", "."}) {
    EXPECT_THROW(net::AllowedHosts("127.0.0.1", {name}), util::Error) << name;
  }
}

TEST(NetAllowedHosts, ARequestWithoutHostIsAnswered)
{
  net::HttpRequest request;
  request.minor_version = 0;
  EXPECT_TRUE(net::AllowedHosts().allows(request));
  request.headers = {{"host", "evil.example"}};
  EXPECT_FALSE(net::AllowedHosts().allows(request));
}

} // namespace
