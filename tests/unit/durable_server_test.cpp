// durable::Server over a MemoryStore, through HTTP on 127.0.0.1: long fork chains (read and
// deleted without recursion), catch-up reads answered whole in one response.

#include "durable_server_support.hpp"

#include <gtest/gtest.h>

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

} // namespace
