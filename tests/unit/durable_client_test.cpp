// durable::Client against a fake transport: which failures are retried, how refusals read,
// the requests each operation sends, and stream names resolved to URLs.

#include "durable/client/client.hpp"
#include "durable_test_support.hpp"
#include "fake_transport.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace durable_test; // with std::chrono_literals and the test_http names

TEST(DurableClient, RetriesConnectFailures)
{
  FakeTransport transport;
  transport.responses = {refused(), refused(), reply(204, {{"Stream-Next-Offset", "o1"}})};
  durable::Client client(transport, base(), fast());
  std::vector<std::string> whys;
  client.on_retry = [&](const std::string& why, std::chrono::milliseconds) { whys.push_back(why); };
  EXPECT_EQ(client.close().next_offset, "o1");
  EXPECT_EQ(transport.requests.size(), 3U);
  EXPECT_EQ(client.retries(), 2U);
  EXPECT_EQ(whys, (std::vector<std::string>{"refused", "refused"}));
}

TEST(DurableClient, RetriesAConnectionBrokenMidReply)
{
  FakeTransport transport;
  transport.responses = {{200, {}, {"part"}, Outcome::broken},
                         reply(204, {{"Stream-Next-Offset", "o2"}})};
  durable::Client client(transport, base(), fast());
  EXPECT_EQ(client.close().next_offset, "o2");
  EXPECT_EQ(transport.requests.size(), 2U);
}

TEST(DurableClient, Retries429And5xx)
{
  for (const int status : {429, 500, 502, 503}) {
    FakeTransport transport;
    transport.responses = {reply(status, {}, "busy"),
                           reply(200, {{"Stream-Next-Offset", "o1"}, {"Content-Type", "text/plain"}})};
    durable::Client client(transport, base(), fast());
    std::vector<std::string> whys;
    client.on_retry = [&](const std::string& why, std::chrono::milliseconds) { whys.push_back(why); };
    const auto info = client.info();
    EXPECT_EQ(info.next_offset, "o1") << status;
    EXPECT_EQ(transport.requests.size(), 2U) << status;
    ASSERT_EQ(whys.size(), 1U) << status;
    EXPECT_TRUE(contains(whys[0], std::to_string(status))) << whys[0];
  }
}

TEST(DurableClient, RetryAfterIsAFloorForTheWait)
{
  FakeTransport transport;
  transport.responses = {reply(503, {{"Retry-After", "1"}}), reply(204, {{"Stream-Next-Offset", "o"}})};
  auto policy = fast();
  policy.cap = 5s; // under the cap, Retry-After is obeyed
  durable::Client client(transport, base(), policy);
  std::vector<std::chrono::milliseconds> waits;
  client.on_retry = [&](const std::string&, std::chrono::milliseconds wait) { waits.push_back(wait); };
  client.close();
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{1000ms}));
}

TEST(DurableClient, ARetryAfterBelowTheBackoffLeavesTheBackoff)
{
  FakeTransport transport;
  transport.responses = {reply(503, {{"Retry-After", "0"}}), reply(204, {{"Stream-Next-Offset", "o"}})};
  auto policy = fast();
  policy.initial = 20ms;
  policy.cap = 5s;
  durable::Client client(transport, base(), policy);
  std::vector<std::chrono::milliseconds> waits;
  client.on_retry = [&](const std::string&, std::chrono::milliseconds wait) { waits.push_back(wait); };
  client.close();
  ASSERT_EQ(waits.size(), 1U);
  EXPECT_GE(waits[0], 20ms);
}

TEST(DurableClient, ARetryAfterOfYearsWaitsNoLongerThanTheCap)
{
  FakeTransport transport;
  transport.responses = {reply(503, {{"Retry-After", "99999999"}}), reply(204, {{"Stream-Next-Offset", "o"}})};
  auto policy = fast();
  policy.cap = 20ms;
  durable::Client client(transport, base(), policy);
  std::vector<std::chrono::milliseconds> waits;
  client.on_retry = [&](const std::string&, std::chrono::milliseconds wait) { waits.push_back(wait); };
  client.close();
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{20ms}));
}

TEST(DurableClient, InterruptEndsTheWaitBeforeARetryAtOnce)
{
  FakeTransport transport;
  transport.responses = {reply(503, {{"Retry-After", "60"}})};
  auto policy = fast();
  policy.cap = 60s;
  durable::Client client(transport, base(), policy);
  std::promise<void> waiting;
  client.on_retry = [&](const std::string&, std::chrono::milliseconds) { waiting.set_value(); };
  std::thread interrupter([&] {
    waiting.get_future().wait();
    client.interrupt();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.close(), util::Error);
  interrupter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s); // not the minute Retry-After asked
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(DurableClient, AnInterruptedClientSendsNothingMore)
{
  FakeTransport transport;
  transport.responses = {reply(204, {{"Stream-Next-Offset", "o"}})};
  durable::Client client(transport, base(), fast());
  client.interrupt();
  EXPECT_THROW(client.close(), util::Error);
  EXPECT_TRUE(transport.requests.empty());
}

TEST(DurableClient, ARequestTheTransportCannotSendIsAUsageErrorNotRetried)
{
  FakeTransport transport;
  transport.responses = {{0, {}, {}, Outcome::invalid_request}};
  durable::Client client(transport, base(), fast());
  EXPECT_EQ(error_of([&] { client.close(); }).code(), util::Errc::usage);
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(DurableClient, RefusalsAreNotRetried)
{
  for (const int status : {400, 403, 404, 409, 410, 413}) {
    FakeTransport transport;
    transport.responses = {reply(status), reply(204, {{"Stream-Next-Offset", "o"}})};
    durable::Client client(transport, base(), fast());
    const auto error = error_of([&] { client.close(); });
    EXPECT_EQ(error.code(), util::Errc::http_status) << status;
    EXPECT_TRUE(contains(error.what(), std::to_string(status))) << error.what();
    EXPECT_EQ(error.where(), "http://127.0.0.1:1/v1/stream/s");
    EXPECT_EQ(transport.requests.size(), 1U) << status;
    transport.responses = {reply(status)};
    EXPECT_EQ(status_of([&] { client.close(); }), status);
    EXPECT_EQ(transport.requests.size(), 2U) << status;
    EXPECT_EQ(client.retries(), 0U);
  }
}

TEST(DurableClient, RefusalsSayWhy)
{
  FakeTransport transport;
  durable::Client client(transport, base(), fast());
  transport.responses = {reply(404)};
  EXPECT_TRUE(contains(error_of([&] { client.info(); }).what(), "no such stream"));
  EXPECT_EQ(status_of([&] { client.info(); }), 404);
  EXPECT_EQ(status_of([&] { client.remove(); }), 404);
  transport.responses = {reply(409)};
  EXPECT_EQ(status_of([&] { client.create({}); }), 409);
  transport.responses = {reply(413)};
  EXPECT_TRUE(contains(error_of([&] { client.close(); }).what(), "larger than the server accepts"));
  transport.responses = {reply(409, {{"Content-Type", "text/plain"}}, "config differs")};
  const auto conflict = error_of([&] { client.create({}); });
  EXPECT_TRUE(contains(conflict.what(), "another configuration")) << conflict.what();
  EXPECT_TRUE(contains(conflict.what(), "config differs")) << conflict.what();
  transport.responses = {reply(400, {}, "bad header X")};
  EXPECT_TRUE(contains(error_of([&] { client.close(); }).what(), "bad header X"));
}

TEST(DurableClient, GivesUpAfterMaxRetries)
{
  FakeTransport transport;
  transport.responses = {reply(503)};
  durable::Client client(transport, base(), fast(3));
  const auto error = error_of([&] { client.close(); });
  EXPECT_EQ(error.code(), util::Errc::runtime);
  EXPECT_TRUE(contains(error.what(), "giving up after 3 retries")) << error.what();
  EXPECT_EQ(transport.requests.size(), 4U);

  FakeTransport down;
  down.responses = {refused()};
  durable::Client none(down, base(), fast(0));
  EXPECT_EQ(error_of([&] { none.close(); }).code(), util::Errc::runtime);
  EXPECT_EQ(down.requests.size(), 1U);
}

TEST(DurableClient, ACancelledRequestIsNotRetried)
{
  FakeTransport transport;
  transport.responses = {{0, {}, {}, Outcome::cancelled}, reply(204)};
  durable::Client client(transport, base(), fast());
  EXPECT_EQ(error_of([&] { client.close(); }).code(), util::Errc::runtime);
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(DurableClient, InfoReadsTheHeadReply)
{
  FakeTransport transport;
  transport.responses = {reply(200, {{"Content-Type", "application/json"},
                                     {"Stream-Next-Offset", "0000_0001"},
                                     {"Stream-Closed", "TRUE"},
                                     {"Stream-TTL", "60"},
                                     {"ETag", "\"e\""}})};
  durable::Client client(transport, base(), fast());
  const auto info = client.info();
  EXPECT_EQ(transport.requests.at(0).method, "HEAD");
  EXPECT_FALSE(transport.requests.at(0).body);
  EXPECT_EQ(info.content_type, "application/json");
  EXPECT_EQ(info.next_offset, "0000_0001");
  EXPECT_TRUE(info.closed);
  EXPECT_EQ(info.ttl, "60");
  EXPECT_FALSE(info.expires_at);
  EXPECT_EQ(info.etag, "\"e\"");

  transport.responses = {reply(200, {{"Stream-Next-Offset", "1"}, {"Stream-Closed", "false"}})};
  const auto open = client.info();
  EXPECT_FALSE(open.closed);
  EXPECT_EQ(open.content_type, "application/octet-stream");

  transport.responses = {reply(200, {{"Content-Type", "text/html"}})};
  EXPECT_EQ(error_of([&] { client.info(); }).code(), util::Errc::bad_input);
}

TEST(DurableClient, CreateSendsTheConfiguration)
{
  FakeTransport transport;
  transport.responses = {reply(201, {{"Stream-Next-Offset", "o1"}, {"Content-Type", "text/plain"}})};
  durable::Client client(transport, base(), fast());
  durable::CreateRequest create;
  create.content_type = "text/plain";
  create.ttl = "60";
  create.expires_at = "2030-01-01T00:00:00Z";
  create.closed = true;
  create.body = "hello";
  const auto result = client.create(create);
  EXPECT_TRUE(result.created);
  EXPECT_EQ(result.next_offset, "o1");
  EXPECT_EQ(result.content_type, "text/plain");
  const auto& request = transport.requests.at(0);
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.body, "hello");
  EXPECT_EQ(http::find_header(request.headers, "Content-Type"), "text/plain");
  EXPECT_EQ(http::find_header(request.headers, "Stream-TTL"), "60");
  EXPECT_EQ(http::find_header(request.headers, "Stream-Expires-At"), "2030-01-01T00:00:00Z");
  EXPECT_EQ(http::find_header(request.headers, "Stream-Closed"), "true");

  transport.responses = {reply(200, {{"Stream-Next-Offset", "o1"}})};
  const auto again = client.create({});
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.content_type, "application/octet-stream");
  const auto& plain = transport.requests.at(1);
  EXPECT_FALSE(http::find_header(plain.headers, "Stream-TTL"));
  EXPECT_FALSE(http::find_header(plain.headers, "Stream-Expires-At"));
  EXPECT_FALSE(http::find_header(plain.headers, "Stream-Closed"));
}

TEST(DurableClient, CloseIsAnEmptyPostWithoutContentType)
{
  FakeTransport transport;
  transport.responses = {reply(204, {{"Stream-Next-Offset", "o9"}, {"Stream-Closed", "true"}})};
  http::Request with_headers = base();
  with_headers.headers = {{"Authorization", "Bearer x"}};
  durable::Client client(transport, with_headers, fast());
  const auto result = client.close();
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(result.next_offset, "o9");
  const auto& request = transport.requests.at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body, "");
  EXPECT_EQ(http::find_header(request.headers, "Stream-Closed"), "true");
  EXPECT_FALSE(http::find_header(request.headers, "Content-Type"));
  EXPECT_EQ(http::find_header(request.headers, "Authorization"), "Bearer x"); // the base's
}

TEST(DurableClient, RemoveTakesA404AfterARetryAsDone)
{
  {
    FakeTransport transport;
    transport.responses = {reply(204)};
    durable::Client client(transport, base(), fast());
    EXPECT_NO_THROW(client.remove());
    EXPECT_EQ(transport.requests.at(0).method, "DELETE");
  }
  {
    FakeTransport transport; // the reply to the first DELETE was lost
    transport.responses = {{200, {}, {}, Outcome::broken}, reply(404)};
    durable::Client client(transport, base(), fast());
    EXPECT_NO_THROW(client.remove());
    EXPECT_EQ(transport.requests.size(), 2U);
  }
  {
    FakeTransport transport;
    transport.responses = {reply(503), reply(404)};
    durable::Client client(transport, base(), fast());
    EXPECT_NO_THROW(client.remove());
  }
  {
    FakeTransport transport; // a stream that never was
    transport.responses = {reply(404)};
    durable::Client client(transport, base(), fast());
    const auto error = error_of([&] { client.remove(); });
    EXPECT_EQ(error.code(), util::Errc::http_status);
    EXPECT_TRUE(contains(error.what(), "no such stream")) << error.what();
  }
  {
    FakeTransport transport; // an earlier retry of another request does not count
    transport.responses = {refused(), reply(204), reply(404)};
    durable::Client client(transport, base(), fast());
    client.close();
    EXPECT_EQ(error_of([&] { client.remove(); }).code(), util::Errc::http_status);
  }
}

TEST(DurableClient, ResolvesStreamNamesAgainstTheBase)
{
  const std::string base_url = "http://localhost:4437/v1/stream";
  EXPECT_EQ(durable::resolve_stream_url("events", base_url), "http://localhost:4437/v1/stream/events");
  EXPECT_EQ(durable::resolve_stream_url("a/b-c_d.e:f", base_url),
            "http://localhost:4437/v1/stream/a/b-c_d.e:f");
  EXPECT_EQ(durable::resolve_stream_url("/events", base_url), "http://localhost:4437/v1/stream/events");
  EXPECT_EQ(durable::resolve_stream_url("events", base_url + "/"), "http://localhost:4437/v1/stream/events");
  EXPECT_EQ(durable::resolve_stream_url("events", base_url + "///"),
            "http://localhost:4437/v1/stream/events");
  EXPECT_EQ(durable::resolve_stream_url(std::string(256, 'x'), base_url),
            base_url + "/" + std::string(256, 'x'));
  // URLs are taken as they are.
  EXPECT_EQ(durable::resolve_stream_url("https://h/x?y=1", base_url), "https://h/x?y=1");
  EXPECT_TRUE(durable::is_stream_name("a/b"));
  EXPECT_FALSE(durable::is_stream_name("http://h/a"));
}

TEST(DurableClient, RefusesBadStreamNames)
{
  for (const std::string& name : std::vector<std::string>{"", "a b", "a?b", "a#b", "a%20b", "a&b",
                                                         "caf\xc3\xa9", "a\\b", std::string(257, 'x')}) {
    const auto error = error_of([&] { durable::resolve_stream_url(name, "http://h/v1/stream"); });
    EXPECT_EQ(error.code(), util::Errc::usage) << name;
  }
}

} // namespace
