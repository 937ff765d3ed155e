// durable::Batcher: messages pushed by one thread, gathered into request bodies for another.
// Threads synchronise through the batcher itself and futures with deadlines, never sleeps.

#include "durable/client/batcher.hpp"
#include "durable/protocol/rules.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using durable::Batcher;

constexpr auto k_deadline = 30s; // for what must happen: generous, never waited in a passing run
constexpr auto k_blocked = 100ms; // how long something that must not happen is given to happen

// Releases every waiting push() and take() when a test ends early, so that the futures'
// destructors do not wait forever. Declare it after the futures.
struct Unblock {
  Batcher& batcher;
  ~Unblock()
  {
    batcher.cancel();
    batcher.finish();
  }
};

std::vector<Batcher::Batch> take_all(Batcher& batcher)
{
  std::vector<Batcher::Batch> batches;
  while (auto batch = batcher.take(0ms)) {
    batches.push_back(std::move(*batch));
    if (batches.size() > 10000) {
      ADD_FAILURE() << "take() never ends";
      break;
    }
  }
  return batches;
}

std::vector<std::string> bodies(const std::vector<Batcher::Batch>& batches)
{
  std::vector<std::string> out;
  for (const auto& batch : batches) {
    out.push_back(batch.body);
  }
  return out;
}

TEST(DurableBatcher, JsonBodiesAreArraysOfTheMessages)
{
  Batcher batcher(true, 1000, 10000);
  EXPECT_TRUE(batcher.push("1"));
  EXPECT_TRUE(batcher.push(R"({"a":[2,3]})"));
  EXPECT_TRUE(batcher.push(R"("x,y")"));
  batcher.finish();
  const auto batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, R"([1,{"a":[2,3]},"x,y"])");
  EXPECT_EQ(batch->messages, 3U);
  EXPECT_TRUE(batch->last);
  EXPECT_FALSE(batcher.take(0ms));
}

TEST(DurableBatcher, ByteBodiesAreTheMessagesJoined)
{
  Batcher batcher(false, 1000, 10000);
  EXPECT_TRUE(batcher.push("ab"));
  EXPECT_TRUE(batcher.push("cd\n"));
  EXPECT_TRUE(batcher.push(std::string("\0e", 2)));
  batcher.finish();
  const auto batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, std::string("abcd\n\0e", 7));
  EXPECT_EQ(batch->messages, 3U);
  EXPECT_TRUE(batch->last);
  EXPECT_FALSE(batcher.take(0ms));
}

TEST(DurableBatcher, ByteBodiesStayWithinBatchMax)
{
  Batcher batcher(false, 5, 10000);
  for (const char* message : {"ab", "cd", "ef", "g", "hijkl", "m"}) {
    EXPECT_TRUE(batcher.push(message));
  }
  batcher.finish();
  const auto batches = take_all(batcher);
  EXPECT_EQ(bodies(batches), (std::vector<std::string>{"abcd", "efg", "hijkl", "m"}));
  ASSERT_EQ(batches.size(), 4U);
  EXPECT_EQ(batches[0].messages, 2U);
  EXPECT_EQ(batches[1].messages, 2U);
  EXPECT_EQ(batches[2].messages, 1U);
}

TEST(DurableBatcher, JsonBodiesStayWithinBatchMaxBracketsIncluded)
{
  {
    Batcher batcher(true, 7, 10000); // "[11,22]" is exactly 7 bytes
    batcher.push("11");
    batcher.push("22");
    batcher.push("33");
    batcher.finish();
    EXPECT_EQ(bodies(take_all(batcher)), (std::vector<std::string>{"[11,22]", "[33]"}));
  }
  {
    Batcher batcher(true, 6, 10000); // "[11,22]" is one byte too many
    batcher.push("11");
    batcher.push("22");
    batcher.push("33");
    batcher.finish();
    EXPECT_EQ(bodies(take_all(batcher)), (std::vector<std::string>{"[11]", "[22]", "[33]"}));
  }
}

TEST(DurableBatcher, RandomMessagesAreAllDeliveredInOrderWithinBatchMax)
{
  for (const bool json : {false, true}) {
    constexpr std::size_t k_batch_max = 32;
    Batcher batcher(json, k_batch_max, 1 << 20);
    std::mt19937 random(json ? 3 : 4);
    std::vector<std::string> messages;
    for (int i = 0; i < 300; ++i) {
      const auto size = std::uniform_int_distribution<std::size_t>(0, 38)(random);
      const std::string message = "\"" + std::string(size, static_cast<char>('a' + i % 26)) + "\"";
      messages.push_back(message);
      ASSERT_TRUE(batcher.push(message));
    }
    batcher.finish();
    const auto batches = take_all(batcher);
    std::vector<std::string> received;
    std::string joined;
    for (const auto& batch : batches) {
      ASSERT_GE(batch.messages, 1U);
      if (batch.messages > 1) {
        EXPECT_LE(batch.body.size(), k_batch_max) << (json ? "json: " : "bytes: ") << batch.body;
      }
      if (json) {
        const auto parsed = durable::json_messages(batch.body);
        EXPECT_EQ(parsed.size(), batch.messages) << batch.body;
        received.insert(received.end(), parsed.begin(), parsed.end());
      } else {
        joined += batch.body;
      }
      EXPECT_EQ(batch.last, &batch == &batches.back());
    }
    if (json) {
      EXPECT_EQ(received, messages);
    } else {
      std::string expected;
      for (const auto& message : messages) {
        expected += message;
      }
      EXPECT_EQ(joined, expected);
    }
  }
}

TEST(DurableBatcher, AnOversizedMessageGoesAlone)
{
  for (const bool json : {false, true}) {
    Batcher batcher(json, 6, 10000);
    batcher.push("1");
    batcher.push("2345678901");
    batcher.push("2");
    batcher.finish();
    const auto batches = take_all(batcher);
    if (json) {
      EXPECT_EQ(bodies(batches), (std::vector<std::string>{"[1]", "[2345678901]", "[2]"}));
    } else {
      EXPECT_EQ(bodies(batches), (std::vector<std::string>{"1", "2345678901", "2"}));
    }
  }
}

TEST(DurableBatcher, OnlyTheFinalBatchAfterFinishIsLast)
{
  Batcher batcher(false, 2, 10000);
  batcher.push("ab");
  batcher.push("cd");
  batcher.push("ef");
  auto batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "ab");
  EXPECT_FALSE(batch->last);
  batcher.finish();
  batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "cd");
  EXPECT_FALSE(batch->last); // "ef" follows
  batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "ef");
  EXPECT_TRUE(batch->last);
  EXPECT_FALSE(batcher.take(0ms));
  EXPECT_FALSE(batcher.take(0ms));
}

TEST(DurableBatcher, ABatchTakenBeforeFinishIsNotLast)
{
  Batcher batcher(true, 100, 10000);
  batcher.push("1");
  const auto batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "[1]");
  EXPECT_FALSE(batch->last);
  batcher.finish();
  EXPECT_FALSE(batcher.take(0ms));
}

TEST(DurableBatcher, TakeAfterFinishWithNothingLeftIsNullAtOnce)
{
  Batcher batcher(false, 100, 100);
  batcher.finish();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(batcher.take(0ms));
  EXPECT_FALSE(batcher.take(60s)); // no linger without a message
  EXPECT_LT(std::chrono::steady_clock::now() - start, k_deadline);
}

TEST(DurableBatcher, TakeWaitsForAFirstMessageOrTheEnd)
{
  Batcher batcher(false, 100, 100);
  auto first = std::async(std::launch::async, [&] { return batcher.take(0ms); });
  Unblock unblock{batcher};
  EXPECT_EQ(first.wait_for(k_blocked), std::future_status::timeout); // nothing to take yet
  batcher.push("x");
  ASSERT_EQ(first.wait_for(k_deadline), std::future_status::ready);
  const auto batch = first.get();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "x");

  auto second = std::async(std::launch::async, [&] { return batcher.take(0ms); });
  EXPECT_EQ(second.wait_for(k_blocked), std::future_status::timeout);
  batcher.finish();
  ASSERT_EQ(second.wait_for(k_deadline), std::future_status::ready);
  EXPECT_FALSE(second.get());
}

TEST(DurableBatcher, PushWaitsWhileThePileIsFullUntilTakeFreesSpace)
{
  Batcher batcher(false, 2, 6);
  EXPECT_TRUE(batcher.push("ab"));
  EXPECT_TRUE(batcher.push("cd"));
  EXPECT_TRUE(batcher.push("ef")); // 6 bytes wait: full
  auto pushed = std::async(std::launch::async, [&] { return batcher.push("gh"); });
  Unblock unblock{batcher};
  EXPECT_EQ(pushed.wait_for(k_blocked), std::future_status::timeout);
  const auto batch = batcher.take(0ms); // frees 2 bytes: room for "gh"
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "ab");
  ASSERT_EQ(pushed.wait_for(k_deadline), std::future_status::ready);
  EXPECT_TRUE(pushed.get());
  batcher.finish();
  EXPECT_EQ(bodies(take_all(batcher)), (std::vector<std::string>{"cd", "ef", "gh"}));
}

/// Pushes MESSAGE into BATCHER, which must wait until the pile (its body FIRST) is taken and
/// then go in; after finish(), what is left is one batch, REST.
void push_waits_for_a_take(Batcher& batcher, const std::string& message, const std::string& first,
                           const std::string& rest)
{
  auto pushed = std::async(std::launch::async, [&] { return batcher.push(message); });
  Unblock unblock{batcher};
  EXPECT_EQ(pushed.wait_for(k_blocked), std::future_status::timeout);
  const auto batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, first);
  ASSERT_EQ(pushed.wait_for(k_deadline), std::future_status::ready);
  EXPECT_TRUE(pushed.get());
  batcher.finish();
  EXPECT_EQ(bodies(take_all(batcher)), (std::vector<std::string>{rest}));
}

TEST(DurableBatcher, JsonPunctuationCountsTowardsTheCapacity)
{
  Batcher batcher(true, 100, 10);
  EXPECT_TRUE(batcher.push("1234"));
  EXPECT_TRUE(batcher.push("5678")); // 4 + 4 bytes, and a ',' and a ']'
  push_waits_for_a_take(batcher, "9", "[1234,5678]", "[9]");
}

TEST(DurableBatcher, AMessageOverTheCapacityWaitsForAnEmptyPileThenGoes)
{
  Batcher batcher(false, 100, 4);
  EXPECT_TRUE(batcher.push("ab"));
  push_waits_for_a_take(batcher, "cdefgh", "ab", "cdefgh");
}

TEST(DurableBatcher, CancelReleasesABlockedPush)
{
  Batcher batcher(false, 100, 2);
  EXPECT_TRUE(batcher.push("ab"));
  auto pushed = std::async(std::launch::async, [&] { return batcher.push("cd"); });
  Unblock unblock{batcher};
  EXPECT_EQ(pushed.wait_for(k_blocked), std::future_status::timeout);
  batcher.cancel();
  ASSERT_EQ(pushed.wait_for(k_deadline), std::future_status::ready);
  EXPECT_FALSE(pushed.get());
  EXPECT_FALSE(batcher.push("e")); // and every later push, at once
}

TEST(DurableBatcher, LingerWaitsForMoreMessages)
{
  Batcher batcher(false, 100, 1000);
  // The taker gets the first message, then lingers: what arrives meanwhile joins the body,
  // until finish() ends the wait long before the linger would.
  auto taken = std::async(std::launch::async, [&] { return batcher.take(600s); });
  Unblock unblock{batcher};
  batcher.push("a");
  batcher.push("b");
  batcher.push("c");
  EXPECT_EQ(taken.wait_for(k_blocked), std::future_status::timeout); // still lingering
  batcher.finish();
  ASSERT_EQ(taken.wait_for(k_deadline), std::future_status::ready);
  const auto batch = taken.get();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "abc");
  EXPECT_EQ(batch->messages, 3U);
  EXPECT_TRUE(batch->last);
}

TEST(DurableBatcher, LingerEndsWhenTheBodyIsFull)
{
  Batcher batcher(false, 4, 1000);
  auto taken = std::async(std::launch::async, [&] { return batcher.take(600s); });
  Unblock unblock{batcher};
  batcher.push("ab");
  batcher.push("cd"); // 4 bytes: full, though only the next message shows it
  batcher.push("e");
  ASSERT_EQ(taken.wait_for(k_deadline), std::future_status::ready);
  const auto batch = taken.get();
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "abcd");
  EXPECT_FALSE(batch->last);
}

TEST(DurableBatcher, LingerEndsAfterItsTimeWithWhatItHas)
{
  Batcher batcher(false, 100, 1000);
  const auto start = std::chrono::steady_clock::now();
  batcher.push("a");
  const auto batch = batcher.take(100ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "a");
  EXPECT_FALSE(batch->last);
  EXPECT_GE(elapsed, 100ms); // it waited for more
  EXPECT_LT(elapsed, k_deadline);
}

TEST(DurableBatcher, NoLingerTakesWhatIsThere)
{
  Batcher batcher(false, 100, 1000);
  batcher.push("a");
  auto batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "a");
  batcher.push("b");
  batcher.push("c");
  batch = batcher.take(0ms);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->body, "bc");
}

} // namespace
