// durable::IdempotentProducer against a fake transport: the Producer-Id/Epoch/Seq tuple on every POST,
// one seq per request and the same one on a retry, 204 duplicates, claims, refusals, Stream-Seq.

#include "durable/client/client.hpp"
#include "durable/client/idempotent_producer.hpp"
#include "durable_test_support.hpp"
#include "fake_transport.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace durable_test; // with std::chrono_literals and the test_http names

Scripted ok(const std::string& offset = "o")
{
  return reply(200, {{"Stream-Next-Offset", offset}});
}

// A first attempt that reached the server, whose reply was lost.
Scripted lost()
{
  return {200, {}, {}, Outcome::broken};
}

durable::ProducerOptions options(std::uint64_t epoch = 0, bool claim = false)
{
  durable::ProducerOptions o;
  o.id = "writer-1";
  o.epoch = epoch;
  o.claim = claim;
  return o;
}

std::string header(const http::Request& request, std::string_view name)
{
  return http::find_header(request.headers, name).value_or("<none>");
}

// "epoch/seq" of each request sent.
std::vector<std::string> tuples(const FakeTransport& transport)
{
  std::vector<std::string> out;
  for (const auto& request : transport.requests) {
    out.push_back(header(request, "Producer-Epoch") + "/" + header(request, "Producer-Seq"));
  }
  return out;
}

TEST(DurableProducer, EveryPostCarriesTheTupleAndTheSeqGrowsPerRequest)
{
  FakeTransport transport;
  transport.responses = {ok("o1"), ok("o2"), ok("o3")};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(3), "application/json");
  EXPECT_EQ(producer.send("[1,2]", false).next_offset, "o1");
  EXPECT_EQ(producer.send("[3]", false).next_offset, "o2");
  EXPECT_EQ(producer.send("[4]", false).next_offset, "o3");
  ASSERT_EQ(transport.requests.size(), 3U);
  EXPECT_EQ(tuples(transport), (std::vector<std::string>{"3/0", "3/1", "3/2"}));
  for (const auto& request : transport.requests) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(header(request, "Producer-Id"), "writer-1");
    EXPECT_EQ(header(request, "Content-Type"), "application/json");
    EXPECT_EQ(header(request, "Stream-Closed"), "<none>");
    EXPECT_EQ(header(request, "Stream-Seq"), "<none>");
  }
  EXPECT_EQ(transport.requests[0].body, "[1,2]");
  EXPECT_EQ(producer.seq(), 3U);
  EXPECT_EQ(producer.epoch(), 3U);
  EXPECT_EQ(producer.duplicates(), 0U);
}

TEST(DurableProducer, ARetrySendsTheSameSeq)
{
  FakeTransport transport;
  transport.responses = {refused(), ok(), reply(503), reply(429), ok(), ok()};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(1), "text/plain");
  producer.send("a", false);
  producer.send("b", false);
  producer.send("c", false);
  EXPECT_EQ(tuples(transport), (std::vector<std::string>{"1/0", "1/0", "1/1", "1/1", "1/1", "1/2"}));
  std::vector<std::string> bodies;
  for (const auto& request : transport.requests) {
    bodies.push_back(request.body.value_or("<none>"));
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"a", "a", "b", "b", "b", "c"}));
  EXPECT_EQ(producer.duplicates(), 0U);
  EXPECT_EQ(producer.requests(), 3U); // each batch once, however often retried
}

TEST(DurableProducer, A204ToARetryIsTheFirstAttemptArriving)
{
  FakeTransport transport;
  transport.responses = {lost(),
                         reply(204, {{"Stream-Next-Offset", "o5"}, {"Producer-Epoch", "0"},
                                     {"Producer-Seq", "0"}}),
                         ok("o6")};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(), "text/plain");
  EXPECT_EQ(producer.send("x", false).next_offset, "o5");
  EXPECT_EQ(producer.duplicates(), 1U);
  EXPECT_EQ(producer.seq(), 1U);
  producer.send("y", false);
  EXPECT_EQ(tuples(transport), (std::vector<std::string>{"0/0", "0/0", "0/1"}));
  EXPECT_EQ(producer.duplicates(), 1U);
}

TEST(DurableProducer, A204ToAFirstAttemptIsAnErrorWithoutClaim)
{
  FakeTransport transport;
  transport.responses = {reply(204, {{"Producer-Epoch", "2"}, {"Producer-Seq", "7"}}), ok()};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(2), "text/plain");
  const auto error = error_of([&] { producer.send("x", false); });
  EXPECT_EQ(error.code(), util::Errc::http_status);
  EXPECT_TRUE(contains(error.what(), "already has seq 0")) << error.what();
  EXPECT_TRUE(contains(error.what(), "writer-1")) << error.what();
  EXPECT_EQ(transport.requests.size(), 1U);
  EXPECT_EQ(producer.seq(), 0U);
  EXPECT_EQ(producer.duplicates(), 0U);
}

TEST(DurableProducer, A204ToAFirstAttemptWithClaimStartsTheNextEpoch)
{
  FakeTransport transport;
  transport.responses = {reply(204), ok("o1"), ok("o2")};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(2, true), "text/plain");
  EXPECT_EQ(producer.send("x", false).next_offset, "o1");
  EXPECT_EQ(producer.epoch(), 3U);
  EXPECT_EQ(producer.seq(), 1U);
  EXPECT_EQ(producer.duplicates(), 0U);
  producer.send("y", false);
  EXPECT_EQ(tuples(transport), (std::vector<std::string>{"2/0", "3/0", "3/1"}));
  EXPECT_EQ(transport.requests[1].body, "x"); // the batch is sent again, not lost
  EXPECT_EQ(producer.requests(), 2U);
}

TEST(DurableProducer, AClaimIsTriedOnce)
{
  FakeTransport transport;
  transport.responses = {reply(204), reply(204), ok()};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(0, true), "text/plain");
  EXPECT_EQ(error_of([&] { producer.send("x", false); }).code(), util::Errc::http_status);
  EXPECT_EQ(transport.requests.size(), 2U);

  FakeTransport stale;
  stale.responses = {reply(403, {{"Producer-Epoch", "5"}}), reply(403, {{"Producer-Epoch", "9"}}), ok()};
  durable::Client other(stale, base(), fast());
  durable::IdempotentProducer claimer(other, options(0, true), "text/plain");
  EXPECT_EQ(error_of([&] { claimer.send("x", false); }).code(), util::Errc::http_status);
  EXPECT_EQ(tuples(stale), (std::vector<std::string>{"0/0", "6/0"}));
}

TEST(DurableProducer, A403WithClaimTakesOverAboveTheServersEpoch)
{
  FakeTransport transport;
  transport.responses = {ok("o1"), reply(403, {{"Producer-Epoch", "7"}}), ok("o2"), ok("o3")};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(1, true), "text/plain");
  producer.send("a", false);
  EXPECT_EQ(producer.send("b", false).next_offset, "o2");
  EXPECT_EQ(producer.epoch(), 8U);
  EXPECT_EQ(producer.seq(), 1U);
  producer.send("c", false);
  EXPECT_EQ(tuples(transport), (std::vector<std::string>{"1/0", "1/1", "8/0", "8/1"}));
}

TEST(DurableProducer, A403WithoutClaimIsAStaleEpochError)
{
  FakeTransport transport;
  transport.responses = {reply(403, {{"Producer-Epoch", "7"}}), ok()};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(1), "text/plain");
  const auto error = error_of([&] { producer.send("a", false); });
  EXPECT_EQ(error.code(), util::Errc::http_status);
  transport.responses = {reply(403, {{"Producer-Epoch", "7"}})};
  EXPECT_EQ(status_of([&] { producer.send("a", false); }), 403);
  EXPECT_TRUE(contains(error.what(), "stale")) << error.what();
  EXPECT_TRUE(contains(error.what(), "epoch 7")) << error.what();
  EXPECT_EQ(transport.requests.size(), 2U);
  EXPECT_EQ(producer.epoch(), 1U);
}

TEST(DurableProducer, A403WithoutAnEpochCannotBeClaimed)
{
  FakeTransport transport;
  transport.responses = {reply(403, {}, "forbidden"), ok()};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(1, true), "text/plain");
  const auto error = error_of([&] { producer.send("a", false); });
  EXPECT_EQ(error.code(), util::Errc::http_status);
  EXPECT_TRUE(contains(error.what(), "403")) << error.what();
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(DurableProducer, ASequenceGapNamesBothNumbers)
{
  FakeTransport transport;
  transport.responses = {
    reply(409, {{"Producer-Expected-Seq", "3"}, {"Producer-Received-Seq", "5"}}), ok()};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(), "text/plain");
  const auto error = error_of([&] { producer.send("a", false); });
  EXPECT_EQ(error.code(), util::Errc::http_status);
  EXPECT_TRUE(contains(error.what(), "gap")) << error.what();
  EXPECT_TRUE(contains(error.what(), "expected 3")) << error.what();
  EXPECT_TRUE(contains(error.what(), "got 5")) << error.what();
  transport.responses = {reply(409, {{"Producer-Expected-Seq", "3"}})};
  EXPECT_EQ(status_of([&] { producer.send("a", false); }), 409);
  transport.requests.pop_back();
  EXPECT_EQ(transport.requests.size(), 1U);
  EXPECT_EQ(producer.seq(), 0U);
}

TEST(DurableProducer, AClosedStreamNamesItsOffset)
{
  FakeTransport transport;
  transport.responses = {
    reply(409, {{"Stream-Closed", "true"}, {"Stream-Next-Offset", "0000000000000000_0000000000000042"}}),
    ok()};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(), "text/plain");
  const auto error = error_of([&] { producer.send("a", false); });
  EXPECT_EQ(error.code(), util::Errc::http_status);
  EXPECT_TRUE(contains(error.what(), "closed at offset 0000000000000000_0000000000000042"))
    << error.what();
  EXPECT_EQ(transport.requests.size(), 1U);
}

TEST(DurableProducer, OtherRefusalsAreNotRetried)
{
  for (const int status : {400, 404, 409, 410, 413}) {
    FakeTransport transport;
    transport.responses = {reply(status), ok()};
    durable::Client client(transport, base(), fast());
    durable::IdempotentProducer producer(client, options(), "text/plain");
    EXPECT_EQ(status_of([&] { producer.send("a", false); }), status);
    EXPECT_EQ(transport.requests.size(), 1U) << status;
    EXPECT_EQ(producer.seq(), 0U);
  }
}

TEST(DurableProducer, GivesUpAfterMaxRetriesWithTheSameSeq)
{
  FakeTransport transport;
  transport.responses = {refused()};
  durable::Client client(transport, base(), fast(2));
  durable::IdempotentProducer producer(client, options(4), "text/plain");
  const auto error = error_of([&] { producer.send("a", false); });
  EXPECT_EQ(error.code(), util::Errc::runtime);
  EXPECT_TRUE(contains(error.what(), "giving up after 2 retries")) << error.what();
  EXPECT_EQ(tuples(transport), (std::vector<std::string>{"4/0", "4/0", "4/0"}));
  EXPECT_EQ(producer.seq(), 0U);
}

TEST(DurableProducer, StreamSeqCanBeNumberedPerRequest)
{
  FakeTransport transport;
  transport.responses = {ok(), refused(), ok(), ok()};
  durable::Client client(transport, base(), fast());
  auto o = options();
  o.stream_seq = "SEQ";
  o.number_stream_seq = true;
  durable::IdempotentProducer producer(client, o, "text/plain");
  producer.send("a", false);
  producer.send("b", false); // retried once: the same Stream-Seq again
  producer.send("c", false);
  std::vector<std::string> seqs;
  for (const auto& request : transport.requests) {
    seqs.push_back(header(request, "Stream-Seq"));
  }
  EXPECT_EQ(seqs, (std::vector<std::string>{"SEQ.0000000000", "SEQ.0000000001", "SEQ.0000000001",
                                            "SEQ.0000000002"}));

  FakeTransport fixed;
  fixed.responses = {ok()};
  durable::Client other(fixed, base(), fast());
  o.number_stream_seq = false;
  durable::IdempotentProducer plain(other, o, "text/plain");
  plain.send("a", false);
  plain.send("b", false);
  EXPECT_EQ(header(fixed.requests.at(0), "Stream-Seq"), "SEQ");
  EXPECT_EQ(header(fixed.requests.at(1), "Stream-Seq"), "SEQ");
}

TEST(DurableProducer, CloseOnlySendsNoContentType)
{
  FakeTransport transport;
  transport.responses = {reply(204, {{"Stream-Closed", "true"}, {"Stream-Next-Offset", "end"}})};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(), "application/json");
  const auto result = producer.send("", true);
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(result.next_offset, "end");
  const auto& request = transport.requests.at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body.value_or("<none>"), "");
  EXPECT_EQ(header(request, "Content-Type"), "<none>");
  EXPECT_EQ(header(request, "Stream-Closed"), "true");
  EXPECT_EQ(header(request, "Producer-Id"), "writer-1");
  EXPECT_EQ(header(request, "Producer-Seq"), "0");
  EXPECT_EQ(producer.duplicates(), 0U); // a close-only request is answered 204 either way
  EXPECT_EQ(producer.seq(), 1U);
}

TEST(DurableProducer, ACloseOnly204AfterARetryIsNoDuplicate)
{
  FakeTransport transport;
  transport.responses = {lost(), reply(204, {{"Stream-Closed", "true"}})};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(), "text/plain");
  EXPECT_TRUE(producer.send("", true).closed);
  EXPECT_EQ(producer.duplicates(), 0U);
  EXPECT_EQ(tuples(transport), (std::vector<std::string>{"0/0", "0/0"}));
}

TEST(DurableProducer, DataAndCloseGoTogether)
{
  FakeTransport transport;
  transport.responses = {reply(200, {{"Stream-Closed", "true"}, {"Stream-Next-Offset", "end"}})};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(), "application/json");
  EXPECT_TRUE(producer.send("[1]", true).closed);
  const auto& request = transport.requests.at(0);
  EXPECT_EQ(header(request, "Content-Type"), "application/json");
  EXPECT_EQ(header(request, "Stream-Closed"), "true");
  EXPECT_EQ(request.body, "[1]");
}

TEST(DurableProducer, TheDefaultIdNamesHostAndProcess)
{
  const std::string id = durable::default_producer_id();
  EXPECT_EQ(id.rfind("sse-", 0), 0U) << id;
  const std::string pid = "-" + std::to_string(::getpid());
  ASSERT_GT(id.size(), pid.size() + 4);
  EXPECT_EQ(id.substr(id.size() - pid.size()), pid);
}

TEST(DurableProducer, A413IsNotRetriedAndSaysHowLargeTheBodyWas)
{
  FakeTransport transport;
  transport.responses = {reply(413, {}, "body over 1KiB"), ok()};
  durable::Client client(transport, base(), fast());
  durable::IdempotentProducer producer(client, options(), "text/plain");
  const auto error = error_of([&] { producer.send(std::string(5000, 'a'), false); });
  EXPECT_EQ(error.code(), util::Errc::http_status);
  EXPECT_TRUE(contains(error.what(), "413")) << error.what();
  EXPECT_TRUE(contains(error.what(), "a request body of 5000 bytes is larger than the server accepts"))
    << error.what();
  EXPECT_TRUE(contains(error.what(), "body over 1KiB")) << error.what();
  EXPECT_EQ(transport.requests.size(), 1U);
}

} // namespace
