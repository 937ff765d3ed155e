// hub::DemoProgram, the stream of `sse serve --demo`: its first steps, its ticks (from an
// injected clock), resuming by id, and that its patches keep applying to its snapshot, with
// the project's JSON Patch code and through the whole `sse tail --apply` path (encoded,
// parsed, reduced), so a demo that would break the dashboard fails here first.

#include "hub/demo.hpp"
#include "hub/encoding.hpp"
#include "json/patch.hpp"
#include "sse/parser.hpp"
#include "state/reducer.hpp"

#include "json/value_type.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Json = ::json::Value;
using Kind = hub::Step::Kind;

constexpr std::size_t k_patches = 300;

/// 2024-05-06T07:08:09Z, and a clock that says so (and counts how often it is asked).
std::chrono::system_clock::time_point fixed_time()
{
  using namespace std::chrono;
  return sys_days(year(2024) / May / 6) + 7h + 8min + 9s + 250ms;
}

struct FakeClock {
  std::chrono::system_clock::time_point now = fixed_time();
  int calls = 0;
};

hub::DemoProgram demo(FakeClock& clock, std::chrono::milliseconds tick = 1s)
{
  return hub::DemoProgram(tick, [&clock]() {
    ++clock.calls;
    return clock.now;
  });
}

TEST(HubDemo, StartsWithACommentAndTheSnapshot)
{
  FakeClock clock;
  hub::DemoProgram program = demo(clock);
  const hub::Step* comment = program.step(0);
  ASSERT_NE(comment, nullptr);
  EXPECT_EQ(comment->kind, Kind::comment);
  EXPECT_NE(comment->text.find("sse tail --apply"), std::string::npos) << comment->text;
  EXPECT_EQ(comment->delay, 0ms);

  const hub::Step* snapshot = program.step(1);
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->kind, Kind::event);
  EXPECT_EQ(snapshot->event.type, "json_snapshot");
  EXPECT_EQ(snapshot->event.id, "1");
  EXPECT_EQ(snapshot->event.retry, 3000U);
  EXPECT_EQ(snapshot->delay, 0ms);
  const Json state = Json::parse(snapshot->event.data);
  EXPECT_EQ(state["queue"], Json::array());
  EXPECT_EQ(state["done"], 0);
  EXPECT_EQ(state["workers"], (Json{{"a", "idle"}, {"b", "idle"}, {"c", "idle"}}));
}

TEST(HubDemo, TicksAndPatchesAlternate)
{
  FakeClock clock;
  hub::DemoProgram program = demo(clock, 250ms);
  for (std::size_t index = 2; index < 40; ++index) {
    const hub::Step* step = program.step(index);
    ASSERT_NE(step, nullptr) << "the demo is endless";
    EXPECT_EQ(step->kind, Kind::event);
    EXPECT_EQ(step->event.id, std::to_string(index)) << "step N has id N";
    EXPECT_FALSE(step->event.retry.has_value());
    if (index % 2 == 0) {
      EXPECT_EQ(step->event.type, "tick") << index;
      EXPECT_EQ(step->delay, 250ms) << "a tick waits for its time";
    } else {
      EXPECT_EQ(step->event.type, "json_patch") << index;
      EXPECT_EQ(step->delay, 0ms) << "a patch follows its tick at once";
      EXPECT_TRUE(Json::parse(step->event.data).is_array()) << step->event.data;
    }
  }
  EXPECT_NE(program.step(1'000'000), nullptr);
}

TEST(HubDemo, TicksCarryTheClocksTimeWhenMade)
{
  FakeClock clock;
  hub::DemoProgram program = demo(clock);
  EXPECT_EQ(program.step(2)->event.data, "2024-05-06T07:08:09Z");
  clock.now += 61s;
  EXPECT_EQ(program.step(4)->event.data, "2024-05-06T07:09:10Z");
  // The same step asked for again is made again, with the time then.
  clock.now += 24h;
  EXPECT_EQ(program.step(2)->event.data, "2024-05-07T07:09:10Z");
  const int calls = clock.calls;
  program.step(3);
  program.step(0);
  program.step(1);
  EXPECT_EQ(clock.calls, calls) << "only ticks read the clock";
}

TEST(HubDemo, PatchesApplyToTheSnapshot)
{
  FakeClock clock;
  hub::DemoProgram program = demo(clock);
  Json state = Json::parse(program.step(1)->event.data);
  std::size_t applied = 0;
  for (std::size_t index = 3; applied < k_patches; index += 2) {
    const hub::Step* step = program.step(index);
    ASSERT_EQ(step->event.type, "json_patch");
    const std::size_t k = index / 2; // the round
    try {
      json::apply_patch(state, Json::parse(step->event.data));
    } catch (const std::exception& e) {
      FAIL() << "patch " << k << " (id " << step->event.id << ") " << step->event.data
             << " does not apply to " << state.dump() << ": " << e.what();
    }
    ++applied;
    // Round k: a job is queued (k % 3 == 1), a worker takes it (2), finishes it (0); the
    // workers take turns.
    const std::string worker = std::string(1, static_cast<char>('a' + ((k - 1) / 3) % 3));
    const std::string job = "job-" + std::to_string((k + 2) / 3);
    switch (k % 3) {
    case 1:
      EXPECT_EQ(state["queue"], Json::array({job})) << k;
      break;
    case 2:
      EXPECT_EQ(state["queue"], Json::array()) << k;
      EXPECT_EQ(state["workers"][worker], job) << k;
      break;
    default:
      EXPECT_EQ(state["workers"][worker], "idle") << k;
      EXPECT_EQ(state["done"], k / 3) << k;
      EXPECT_EQ(state["workers"], (Json{{"a", "idle"}, {"b", "idle"}, {"c", "idle"}})) << k;
      break;
    }
  }
  EXPECT_EQ(state["done"], k_patches / 3);
  EXPECT_EQ(state["title"], "Build farm");
}

TEST(HubDemo, TheStreamRebuildsTheDashboardAsTailApplyDoes)
{
  // Encoded as `sse serve` sends it, read by the project's parser and folded by the reducer
  // that `sse tail --apply` uses: every event applies or is ignored, none fails.
  struct Fold : sse::ParserHandler {
    state::Reducer reducer{state::ReducerOptions{}};
    std::size_t applied = 0;
    std::size_t ignored = 0;
    std::vector<std::string> failures;
    std::vector<std::string> comments;
    void on_event(const sse::EventView& event) override
    {
      try {
        const state::Outcome outcome = reducer.apply(event.type, state::Payload{event.data});
        (outcome.kind == state::Outcome::Kind::applied ? applied : ignored) += 1;
      } catch (const std::exception& e) {
        failures.push_back(std::string(event.id) + ": " + e.what());
      }
    }
    void on_comment(std::string_view text) override { comments.emplace_back(text); }
  };
  FakeClock clock;
  hub::DemoProgram program = demo(clock);
  Fold fold;
  sse::Parser parser(fold);
  const std::size_t steps = 2 + 2 * k_patches; // comment, snapshot, then tick + patch rounds
  for (std::size_t index = 0; index < steps; ++index) {
    const hub::Step* step = program.step(index);
    ASSERT_NE(step, nullptr);
    const std::string text = step->kind == Kind::comment ? hub::encode_comment(step->text, "\r\n")
                                                         : hub::encode_event(step->event, "\r\n");
    ASSERT_TRUE(parser.feed(text));
  }
  parser.finish();
  EXPECT_TRUE(fold.failures.empty()) << ::testing::PrintToString(fold.failures);
  EXPECT_EQ(fold.comments.size(), 1U);
  EXPECT_EQ(fold.applied, 1 + k_patches) << "the snapshot and every patch";
  EXPECT_EQ(fold.ignored, k_patches) << "the ticks";
  EXPECT_EQ(fold.reducer.state()["done"], k_patches / 3);
  EXPECT_EQ(parser.last_event_id(), std::to_string(steps - 1));
}

TEST(HubDemo, ResumeAfter)
{
  FakeClock clock;
  hub::DemoProgram program = demo(clock);
  EXPECT_EQ(program.resume_after("5"), 6U);
  EXPECT_EQ(program.resume_after("1"), 2U) << "after the snapshot: the first tick";
  EXPECT_EQ(program.resume_after("600"), 601U);
  // What a resumed client gets next is the event after the one it saw.
  const auto next = program.resume_after("7");
  ASSERT_TRUE(next);
  EXPECT_EQ(program.step(*next)->event.id, "8");
}

TEST(HubDemo, ResumeAfterAnIdTheDemoNeverSent)
{
  FakeClock clock;
  hub::DemoProgram program = demo(clock);
  for (const char* id : {"", "abc", "5x", "x5", "-1", "+5", " 5", "5 ", "0", "1.5",
                         "99999999999999999999999"}) {
    EXPECT_EQ(program.resume_after(id), std::nullopt) << "'" << id << "'";
  }
}

} // namespace
