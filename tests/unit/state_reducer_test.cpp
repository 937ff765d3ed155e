// The state reducers of DESIGN.md §6: mode detection, each vocabulary, envelopes, error and
// reconnect, and atomic failures that leave the state as it was.

#include "state/reducer.hpp"

#include "json/value.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <random>

namespace {

using json = ::json::Value;
using Kind = state::Outcome::Kind;

state::Outcome apply(state::Reducer& reducer, std::string_view type, std::string_view data)
{
  return reducer.apply(type, {data, nullptr});
}

// Applies and expects a bad_input failure that leaves the state as it was; returns the message.
std::string failure(state::Reducer& reducer, std::string_view type, std::string_view data)
{
  const json before = reducer.state();
  try {
    apply(reducer, type, data);
  } catch (const util::Error& e) {
    EXPECT_EQ(e.code(), util::Errc::bad_input);
    EXPECT_EQ(reducer.state(), before) << type << " " << data;
    std::string message = e.what();
    // The library names no flag: the setting the error follows from is a typed detail.
    for (const util::Setting setting : e.settings()) {
      message += setting == util::Setting::apply ? " [apply]" : " [another setting]";
    }
    return message;
  }
  ADD_FAILURE() << "no error for " << type << " " << data;
  return {};
}

TEST(StateReducer, DetectsTheModeFromTheFirstStateEvent)
{
  state::Reducer custom({});
  EXPECT_EQ(custom.mode(), state::Mode::detect);
  EXPECT_EQ(apply(custom, "ping", "x").kind, Kind::ignored);
  EXPECT_EQ(custom.mode(), state::Mode::detect);
  EXPECT_EQ(apply(custom, "patch", R"([{"op":"add","path":"/a","value":1}])").kind, Kind::applied);
  EXPECT_EQ(custom.mode(), state::Mode::custom);
  EXPECT_EQ(custom.state(), json::parse(R"({"a":1})"));
  EXPECT_EQ(failure(custom, "add", R"({"id":1})"),
            "a \"add\" event belongs to keyed state, but this state is custom (detected from the "
            "first state event)");

  state::Reducer keyed({});
  apply(keyed, "add", R"({"id":1})");
  EXPECT_EQ(keyed.mode(), state::Mode::keyed);
  EXPECT_EQ(keyed.state(), json::parse(R"([{"id":1}])"));

  state::Reducer durable({});
  apply(durable, "data", R"({"type":"t","key":"k","value":1,"headers":{"operation":"insert"}})");
  EXPECT_EQ(durable.mode(), state::Mode::durable);
  EXPECT_EQ(failure(durable, "snapshot", "{}"),
            "a \"snapshot\" event belongs to custom state, but this state is durable (detected "
            "from the first state event)");
}

TEST(StateReducer, AForcedModeStartsEmptyAndRefusesOtherVocabularies)
{
  state::ReducerOptions options;
  options.mode = state::Mode::keyed;
  state::Reducer keyed(options);
  EXPECT_EQ(keyed.state(), json::array());
  EXPECT_EQ(failure(keyed, "merge", "{}"),
            "a \"merge\" event belongs to custom state, but this state is keyed [apply]");
  EXPECT_EQ(failure(keyed, "message", R"({"headers":{"control":"reset"}})"),
            "a Durable State message belongs to durable state, but this state is keyed [apply]");
}

TEST(StateReducer, EnvelopesNameTheOp)
{
  state::Reducer reducer({});
  EXPECT_EQ(apply(reducer, "message", R"({"type":"snapshot","data":[1,2]})").op, "snapshot");
  EXPECT_EQ(reducer.state(), json::parse("[1,2]"));
  // Only `message` events carry envelopes, and an object with headers is a Durable message.
  EXPECT_EQ(apply(reducer, "other", R"({"type":"snapshot","data":3})").kind, Kind::ignored);
  EXPECT_EQ(apply(reducer, "message", "not json").kind, Kind::ignored);
  EXPECT_EQ(apply(reducer, "message", R"({"type":"snapshot"})").kind, Kind::ignored);
  json embedded = json::parse(R"({"type":"patch","data":[{"op":"remove","path":"/0"}]})");
  EXPECT_EQ(reducer.apply("message", {{}, &embedded}).kind, Kind::applied);
  EXPECT_EQ(reducer.state(), json::parse("[2]"));
}

TEST(StateReducer, ErrorAndReconnectEventsReachTheCaller)
{
  state::Reducer reducer({});
  auto outcome = apply(reducer, "error", R"({"message":"boom","code":1})");
  EXPECT_EQ(outcome.kind, Kind::error);
  EXPECT_EQ(outcome.message, "boom");
  EXPECT_EQ(apply(reducer, "error", "plain text").message, "plain text");
  EXPECT_EQ(apply(reducer, "error", R"("quoted")").message, "quoted");
  EXPECT_EQ(apply(reducer, "error", "[1]").message, "[1]");
  EXPECT_EQ(apply(reducer, "error", "").message, "the stream sent an error event without a message");
  EXPECT_EQ(apply(reducer, "message", R"({"type":"error","data":"via envelope"})").message,
            "via envelope");
  EXPECT_EQ(apply(reducer, "reconnect", "").kind, Kind::reconnect);
  EXPECT_EQ(reducer.mode(), state::Mode::detect);
}

TEST(StateReducer, APayloadThatIsNotJsonIsBadInput)
{
  state::Reducer reducer({});
  EXPECT_EQ(failure(reducer, "snapshot", "{"),
            "the data of a \"snapshot\" event is not JSON: invalid JSON: unexpected end of input "
            "at byte 1");
  // clear needs no payload.
  state::ReducerOptions options;
  options.mode = state::Mode::keyed;
  state::Reducer keyed(options);
  EXPECT_EQ(apply(keyed, "clear", "").kind, Kind::applied);
}

// Keyed collections against a simple model: a vector of (key, value) in order.
TEST(StateReducer, KeyedCollectionsMatchASimpleModel)
{
  std::mt19937 random(3);
  for (int run = 0; run < 200; ++run) {
    state::ReducerOptions options;
    options.mode = state::Mode::keyed;
    options.key = "/k";
    state::Reducer reducer(options);
    std::vector<std::pair<int, int>> model;
    auto find = [&](int key) {
      return std::find_if(model.begin(), model.end(), [&](const auto& item) { return item.first == key; });
    };
    for (int step = 0; step < 80; ++step) {
      const int op = static_cast<int>(random() % 10);
      if (op < 5) {
        json items = json::array();
        std::vector<std::pair<int, int>> added;
        for (int n = 1 + static_cast<int>(random() % 3); n > 0; --n) {
          const int key = static_cast<int>(random() % 12);
          const int value = static_cast<int>(random() % 100);
          items.push_back({{"k", key}, {"v", value}});
          added.emplace_back(key, value);
        }
        apply(reducer, "add", items.dump());
        for (const auto& [key, value] : added) {
          if (auto it = find(key); it != model.end()) {
            it->second = value;
          } else {
            model.emplace_back(key, value);
          }
        }
      } else if (op < 8) {
        json keys = json::array();
        std::vector<int> doomed;
        for (int n = 1 + static_cast<int>(random() % 3); n > 0; --n) {
          const int key = static_cast<int>(random() % 12);
          keys.push_back(key);
          doomed.push_back(key);
        }
        const bool all_there = std::all_of(doomed.begin(), doomed.end(),
                                           [&](int key) { return find(key) != model.end(); });
        if (all_there) {
          apply(reducer, "remove", keys.dump());
          for (int key : doomed) {
            if (auto it = find(key); it != model.end()) {
              model.erase(it);
            }
          }
        } else {
          EXPECT_NE(failure(reducer, "remove", keys.dump()).find("there is no item with the key"),
                    std::string::npos);
        }
      } else if (op == 8) {
        apply(reducer, "clear", "");
        model.clear();
      } else {
        json items = json::array();
        model.clear();
        for (int n = static_cast<int>(random() % 5); n > 0; --n) {
          const int key = static_cast<int>(random() % 12);
          items.push_back({{"k", key}, {"v", n}});
          if (auto it = find(key); it != model.end()) {
            it->second = n;
          } else {
            model.emplace_back(key, n);
          }
        }
        apply(reducer, "replace", items.dump());
      }
      json expected = json::array();
      for (const auto& [key, value] : model) {
        expected.push_back({{"k", key}, {"v", value}});
      }
      ASSERT_EQ(reducer.state(), expected) << "run " << run << " step " << step;
    }
  }
}

TEST(StateReducer, TheInitialStateMustSuitTheMode)
{
  state::ReducerOptions options;
  options.mode = state::Mode::durable;
  options.initial = json::parse(R"({"t":[]})");
  try {
    state::Reducer reducer(options);
    FAIL();
  } catch (const util::Error& e) {
    EXPECT_STREQ(e.what(), "the initial state of Durable State must be an object {TYPE: {KEY: "
                           "VALUE}}, but \"t\" is an array");
  }
  options.mode = state::Mode::keyed;
  options.initial = json::parse(R"({"id":1})");
  EXPECT_THROW(state::Reducer{options}, util::Error);
  options.initial = json::parse(R"([{"id":"a"},{"id":1}])");
  state::Reducer keyed(options);
  apply(keyed, "add", R"({"id":1,"x":true})");
  EXPECT_EQ(keyed.state(), json::parse(R"([{"id":"a"},{"id":1,"x":true}])"));
  // Detected later: checked when the mode is known, and a failure changes nothing.
  state::ReducerOptions later;
  later.initial = json::parse("3");
  state::Reducer detect(later);
  EXPECT_EQ(failure(detect, "add", R"({"id":1})"),
            "the initial state of a keyed collection must be an array of items, not a number");
  EXPECT_EQ(detect.mode(), state::Mode::detect);
  EXPECT_EQ(apply(detect, "merge", R"({"a":1})").kind, Kind::applied);
  EXPECT_EQ(detect.state(), json::parse(R"({"a":1})"));
}

TEST(StateReducer, ReportsChangesWhenAskedTo)
{
  state::ReducerOptions options;
  options.track_changes = true;
  state::Reducer reducer(options);
  auto outcome = apply(reducer, "data", R"([{"type":"u","key":"a/b","value":1,"headers":{"operation":"insert"}},
    {"type":"u","key":"c","headers":{"operation":"delete"}}])");
  EXPECT_EQ(outcome.changes.written, (std::vector<std::string>{"/u/a~1b"}));
  EXPECT_EQ(outcome.changes.removed_from, (std::vector<std::string>{"/u"}));
  state::Reducer untracked({});
  EXPECT_TRUE(apply(untracked, "snapshot", "{}").changes.written.empty());
}

std::string nested_text(std::size_t depth)
{
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) {
    text += "{\"a\":";
  }
  text += "0";
  text += std::string(depth, '}');
  return text;
}

TEST(StateReducer, PatchesWithinTheParseLimitCannotBuildAStateDeeperThanIt)
{
  // Each patch adds 900 levels below the last: each is within the limit, the state would not be.
  state::Reducer reducer({});
  std::string path;
  std::string message;
  for (int i = 0; i < 80 && message.empty(); ++i) {
    const std::string patch = R"([{"op":"add","path":")" + path + R"(/x","value":)"
                              + nested_text(900) + "}]";
    try {
      apply(reducer, "patch", patch);
    } catch (const util::Error& e) {
      message = e.what();
    }
    for (int k = 0; k < 899; ++k) {
      path += k == 0 ? "/x/a" : "/a";
    }
  }
  EXPECT_NE(message.find("patch operation 0"), std::string::npos) << message;
  EXPECT_NE(message.find("nested more than 1000 levels deep"), std::string::npos) << message;
  EXPECT_LE(::json::depth_of(reducer.state()), ::json::k_max_depth);
}

TEST(StateReducer, KeyedAndDurableValuesStayWithinTheDepthLimit)
{
  // A single item is one level deeper in the state (an array of items) than in the payload.
  state::ReducerOptions keyed_options;
  keyed_options.mode = state::Mode::keyed;
  state::Reducer keyed(keyed_options);
  auto item = [](std::size_t depth) {
    return R"({"id":1,"v":)" + nested_text(depth) + "}";
  };
  EXPECT_NE(failure(keyed, "add", item(::json::k_max_depth - 1)).find("nested more than 1000 "
                                                                       "levels deep"),
            std::string::npos);
  apply(keyed, "add", "[" + item(::json::k_max_depth - 2) + "]");
  EXPECT_EQ(::json::depth_of(keyed.state()), ::json::k_max_depth);
  // A Durable State value sits at {TYPE: {KEY: VALUE}}.
  state::Reducer durable({});
  auto message = [](std::size_t depth) {
    return R"({"type":"t","key":"k","headers":{"operation":"insert"},"value":)"
           + nested_text(depth) + "}";
  };
  EXPECT_NE(failure(durable, "message", message(::json::k_max_depth - 1))
              .find("nested more than 1000 levels deep"),
            std::string::npos);
  apply(durable, "message", "[" + message(::json::k_max_depth - 2) + "]");
  EXPECT_EQ(::json::depth_of(durable.state()), ::json::k_max_depth);
}

TEST(StateReducer, TheStateStaysWithinItsSizeLimit)
{
  state::ReducerOptions options;
  options.max_state = 4096;
  state::Reducer reducer(options);
  apply(reducer, "snapshot", R"({"x":")" + std::string(100, 'x') + R"("})");
  // The copy bomb: the root copied into itself; refused, atomically, before it grows.
  std::string bomb = "[";
  for (int i = 0; i < 40; ++i) {
    bomb += std::string(i == 0 ? "" : ",") + R"({"op":"copy","from":"","path":"/c)"
            + std::to_string(i) + R"("})";
  }
  bomb += "]";
  const std::string message = failure(reducer, "patch", bomb);
  EXPECT_NE(message.find("the size limit of 4KiB"), std::string::npos) << message;
  // A snapshot larger than the limit, and growth by events that each fit.
  EXPECT_NE(failure(reducer, "snapshot", "\"" + std::string(5000, 'y') + "\"")
              .find("the size limit of 4KiB"),
            std::string::npos);
  std::string last;
  for (int i = 0; i < 100 && last.empty(); ++i) {
    try {
      apply(reducer, "merge", R"({"k)" + std::to_string(i) + R"(":")" + std::string(100, 'z')
                                + R"("})");
    } catch (const util::Error& e) {
      last = e.what();
    }
  }
  EXPECT_NE(last.find("the size limit of 4KiB"), std::string::npos) << last;
  EXPECT_LE(reducer.state().dump().size(), 4096U);
  // Events that keep the state small go on for ever: the estimate is corrected, not summed.
  apply(reducer, "snapshot", "{}");
  for (int i = 0; i < 1000; ++i) {
    apply(reducer, "merge", R"({"k":")" + std::string(100, 'z') + R"("})");
  }
}

} // namespace
