// durable::Server over a MemoryStore, through HTTP on 127.0.0.1: long fork chains (read and
// deleted without recursion), catch-up reads answered whole in one response, written in
// pieces with bounded memory.

#include "durable_server_support.hpp"
#include "durable/protocol/offset.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace {

using namespace durable_server_test;

constexpr const char* k_prefix = "/v1/stream/";

std::string fork_name(int i)
{
  return "f" + std::to_string(i);
}

/// Creates f0 (BODY, plain text) and the chain f1 .. fDEPTH, each a fork of the one before at
/// its tail, with pipelined requests; expects every one created.
void make_chain(Client& client, int depth, const std::string& body)
{
  std::string batch = request("PUT", k_prefix + fork_name(0), {{"Content-Type", "text/plain"}}, body);
  for (int i = 1; i <= depth; ++i) {
    batch += request("PUT", k_prefix + fork_name(i),
                     {{"Stream-Forked-From", k_prefix + fork_name(i - 1)}});
  }
  client.send(batch);
  int created = 0;
  for (int i = 0; i <= depth; ++i) {
    const auto response = client.next();
    ASSERT_TRUE(response);
    created += response->status == 201 ? 1 : 0;
  }
  EXPECT_EQ(created, depth + 1);
}

// The loop runs on a 512 KiB stack: reading or deleting through a chain of 10,000 forks
// recursively (one frame per fork) overflows it; iterating does not.
constexpr std::size_t k_small_stack = 512 * 1024;
constexpr int k_depth = 10'000;

TEST(DurableServer, ReadsThroughALongForkChain)
{
  DurableServer server(k_small_stack);
  Client client(server.port());
  make_chain(client, k_depth, "root data");
  const auto last = client.exchange(request("GET", k_prefix + fork_name(k_depth) + "?offset=-1"));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_EQ(last->body, "root data");
  EXPECT_EQ(last->value("stream-up-to-date"), "true");
  // From the middle of the inherited data too.
  const auto middle =
    client.exchange(request("GET", k_prefix + fork_name(k_depth) + "?offset=0000000000000000_0000000000000005"));
  ASSERT_TRUE(middle);
  EXPECT_EQ(middle->body, "data");
}

TEST(DurableServer, DeletesALongChainOfSoftDeletedForks)
{
  DurableServer server(k_small_stack);
  Client client(server.port());
  make_chain(client, k_depth, "root data");
  // Every fork but the last is read from: each DELETE only soft-deletes it.
  std::string batch;
  for (int i = 0; i < k_depth; ++i) {
    batch += request("DELETE", k_prefix + fork_name(i));
  }
  client.send(batch);
  int deleted = 0;
  for (int i = 0; i < k_depth; ++i) {
    const auto response = client.next();
    ASSERT_TRUE(response);
    deleted += response->status == 204 ? 1 : 0;
  }
  EXPECT_EQ(deleted, k_depth);
  const auto gone = client.exchange(request("GET", k_prefix + fork_name(0) + "?offset=-1"));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 410);
  // The last one goes, and with it the whole chain.
  const auto last = client.exchange(request("DELETE", k_prefix + fork_name(k_depth)));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 204);
  for (const int i : {0, k_depth / 2, k_depth}) {
    const auto missing = client.exchange(request("GET", k_prefix + fork_name(i) + "?offset=-1"));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404) << fork_name(i);
  }
  EXPECT_EQ(server.on_loop([&]() { return server.store.load().size(); }), 0U);
}

// --- catch-up ----------------------------------------------------------------------------------

/// Bytes of SIZE that differ from place to place, so a piece out of order shows.
std::string pattern(std::size_t size, std::size_t seed)
{
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<char>('a' + (seed + i / 7) % 26);
  }
  return bytes;
}

/// Creates NAME (TYPE) and appends BODIES with pipelined POSTs; expects each accepted.
void fill(Client& client, const std::string& name, const std::string& type,
          const std::vector<std::string>& bodies)
{
  std::string batch = request("PUT", k_prefix + name, {{"Content-Type", type}});
  for (const auto& body : bodies) {
    batch += request("POST", k_prefix + name, {{"Content-Type", type}}, body);
  }
  client.send(batch);
  for (std::size_t i = 0; i <= bodies.size(); ++i) {
    const auto response = client.next();
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, i == 0 ? 201 : 204) << "request " << i;
  }
}

TEST(DurableServer, CatchUpAnswersEverythingUpToTheTailInOneResponse)
{
  DurableServer server;
  Client client(server.port());
  std::vector<std::string> bodies;
  std::string all;
  for (std::size_t i = 0; i < 50; ++i) {
    bodies.push_back(pattern(64 * 1024 + 17 * i, i)); // 3.2 MiB in all
    all += bodies.back();
  }
  fill(client, "bytes", "application/octet-stream", bodies);
  const auto whole = client.exchange(request("GET", k_prefix + std::string("bytes?offset=-1")));
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body.size(), all.size());
  EXPECT_TRUE(whole->body == all);
  EXPECT_EQ(whole->value("stream-next-offset"), durable::format_offset(all.size()));
  EXPECT_EQ(whole->value("stream-up-to-date"), "true");
  EXPECT_NE(whole->header("etag"), nullptr);

  // From inside a record, on the same connection (the streamed answer ended cleanly).
  const std::size_t from = 1'000'003;
  const auto rest = client.exchange(request("GET", k_prefix + std::string("bytes?offset=") +
                                                     durable::format_offset(from)));
  ASSERT_TRUE(rest);
  EXPECT_TRUE(rest->body == all.substr(from));
  // The ETag names the whole answer.
  const auto again = client.exchange(request("GET", k_prefix + std::string("bytes?offset=-1"),
                                             {{"If-None-Match", whole->value("etag")}}));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
}

TEST(DurableServer, JsonCatchUpIsOneArrayOfEveryMessage)
{
  DurableServer server;
  Client client(server.port());
  std::vector<std::string> bodies;
  std::string expected = "[";
  int n = 0;
  for (int batch = 0; batch < 40; ++batch) {
    std::string array = "[";
    for (int i = 0; i < 1000; ++i, ++n) {
      const std::string message = "{\"n\":" + std::to_string(n) + ",\"pad\":\"" +
                                  std::string(40, 'x') + "\"}";
      array += (i > 0 ? "," : "") + message;
      expected += (n > 0 ? "," : "") + message;
    }
    bodies.push_back(array + "]");
  }
  expected += "]";
  fill(client, "json", "application/json", bodies);
  const auto whole = client.exchange(request("GET", k_prefix + std::string("json?offset=-1")));
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_GT(whole->body.size(), std::size_t{2} << 20);
  EXPECT_EQ(whole->body.size(), expected.size());
  EXPECT_TRUE(whole->body == expected) << whole->body.substr(0, 200);
  EXPECT_EQ(whole->value("stream-up-to-date"), "true");
}

TEST(DurableServer, CatchUpOfAForkAnswersTheInheritedAndItsOwnData)
{
  DurableServer server;
  Client client(server.port());
  const std::string source = pattern(3 << 20, 1);
  fill(client, "source", "text/plain", {source});
  const std::size_t at = 2 << 20;
  const auto fork = client.exchange(request(
    "PUT", k_prefix + std::string("fork"),
    {{"Stream-Forked-From", k_prefix + std::string("source")},
     {"Stream-Fork-Offset", durable::format_offset(at)}}));
  ASSERT_TRUE(fork);
  ASSERT_EQ(fork->status, 201);
  const std::string own = pattern(1 << 20, 2);
  const auto appended =
    client.exchange(request("POST", k_prefix + std::string("fork"), {{"Content-Type", "text/plain"}}, own));
  ASSERT_TRUE(appended);
  ASSERT_EQ(appended->status, 204);
  const auto whole = client.exchange(request("GET", k_prefix + std::string("fork?offset=-1")));
  ASSERT_TRUE(whole);
  EXPECT_TRUE(whole->body == source.substr(0, at) + own);
}

long resident_kib()
{
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

TEST(DurableServer, ACatchUpToASlowReaderHoldsBoundedMemory)
{
  DurableServer server;
  constexpr std::size_t k_size = 64 << 20;
  {
    Client writer(server.port());
    fill(writer, "big", "application/octet-stream", std::vector<std::string>(64, pattern(1 << 20, 3)));
  }
  const long before = resident_kib();
  Client reader(server.port(), 64 * 1024);
  reader.send(request("GET", k_prefix + std::string("big?offset=-1")));
  const auto head = reader.next_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->value("transfer-encoding"), "chunked");
  // A few rounds of the loop: a server that queued it all has done so by now.
  for (int i = 0; i < 3; ++i) {
    server.on_loop([]() { return 0; });
  }
  const long during = resident_kib();
  EXPECT_LT(during - before, 16 * 1024) << "the server's RSS grew from " << before << " KiB to "
                                        << during << " KiB for one slow reader";
  // Deleting the stream meanwhile cuts the answer short: it cannot be finished.
  Client deleter(server.port());
  const auto deleted = deleter.exchange(request("DELETE", k_prefix + std::string("big")));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  std::size_t received = 0;
  while (!reader.eof()) {
    received += reader.drain();
  }
  EXPECT_LT(received, k_size);
}

} // namespace
