// http::request_problem and its parts: what may go on the wire, so that no value from a user,
// a file or a server adds a header or splits the request; and the transport refusing to send
// what fails the check.

#include "http/httplib_transport.hpp"
#include "http/request_check.hpp"

#include <gtest/gtest.h>

namespace {

TEST(HttpRequestCheck, TokensAreRfc9110Tokens)
{
  EXPECT_EQ(http::token_problem("GET"), "");
  EXPECT_EQ(http::token_problem("X-Custom_1.a!#$%&'*+^`|~"), "");
  EXPECT_EQ(http::token_problem(""), "is empty");
  EXPECT_EQ(http::token_problem("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET"), "contains ' '");
  EXPECT_EQ(http::token_problem("GET\r\nX: y"), "contains a line break (CR or LF)");
  EXPECT_EQ(http::token_problem("X:Y"), "contains ':'");
  EXPECT_EQ(http::token_problem(std::string("A\0B", 3)), "contains the byte 0x00");
  EXPECT_EQ(http::token_problem("caf\xc3\xa9"), "contains the byte 0xC3");
}

TEST(HttpRequestCheck, ValuesHaveNoLineBreaksOrControlCharacters)
{
  EXPECT_EQ(http::value_problem(""), "");
  EXPECT_EQ(http::value_problem("Bearer abc.def \t ghi"), "");
  EXPECT_EQ(http::value_problem("caf\xc3\xa9"), ""); // obs-text is passed on
  EXPECT_EQ(http::value_problem("1\r\nX-Injected: yes"), "contains a line break (CR or LF)");
  EXPECT_EQ(http::value_problem("1\nX"), "contains a line break (CR or LF)");
  EXPECT_EQ(http::value_problem("1\rX"), "contains a line break (CR or LF)");
  EXPECT_EQ(http::value_problem(std::string("a\0b", 3)), "contains a control character (0x00)");
  EXPECT_EQ(http::value_problem("a\x7f"), "contains a control character (0x7F)");
}

http::Request good()
{
  http::Request request;
  request.url = http::parse_url("http://127.0.0.1:1/s?a=1");
  request.headers = {{"Last-Event-ID", "7"}, {"Authorization", "Bearer t"}};
  request.basic_user = "user";
  request.basic_password = "pa ss:word";
  request.bearer_token = "tok";
  return request;
}

TEST(HttpRequestCheck, EveryPartOfTheRequestIsChecked)
{
  EXPECT_EQ(http::request_problem(good()), "");
  auto request = good();
  request.method = "GET / HTTP/1.1\r\n\r\nGET";
  EXPECT_EQ(http::request_problem(request), "the method contains ' '");
  request = good();
  request.headers.emplace_back("Last-Event-ID", "1\r\nX-Injected: yes");
  EXPECT_EQ(http::request_problem(request),
            "the value of header 'Last-Event-ID' contains a line break (CR or LF)");
  request = good();
  request.headers.emplace_back("X-A\r\nX-B", "c");
  EXPECT_EQ(http::request_problem(request), "a header name contains a line break (CR or LF)");
  request = good();
  request.bearer_token = "t\r\nX: y";
  EXPECT_EQ(http::request_problem(request), "the bearer token contains a line break (CR or LF)");
  request = good();
  request.basic_password = "p\n";
  EXPECT_EQ(http::request_problem(request), "the password contains a line break (CR or LF)");
  request = good();
  request.url.target = "/a b";
  EXPECT_EQ(http::request_problem(request), "the request target contains a space");
}

TEST(HttpRequestCheck, TheTransportSendsNothingThatFailsTheCheck)
{
  // Port 1 refuses connections: an attempt to connect would end as connect_failed.
  auto request = good();
  request.headers.emplace_back("Last-Event-ID", "1\r\nX-Injected: yes");
  struct Ignore : http::ResponseHandler {
    bool on_head(const http::ResponseHead&) override { return true; }
    bool on_body(std::string_view) override { return true; }
  } ignore;
  http::HttplibTransport transport;
  const auto result = transport.send(request, ignore);
  EXPECT_EQ(result.outcome, http::TransferResult::Outcome::invalid_request);
  EXPECT_EQ(result.message, "the value of header 'Last-Event-ID' contains a line break (CR or LF)");
}

} // namespace
