// hub::parse_step and hub::parse_script, the NDJSON scripts of `sse serve --script`: every
// kind of step, the id numbering, the errors (naming NAME:LINE); and ScriptProgram's
// resume_after, where a resuming client goes on.

#include "hub/program.hpp"
#include "hub/script.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Kind = hub::Step::Kind;

/// The message of the util::Error(bad_input) that parse_step throws for LINE.
std::string step_error(std::string_view line)
{
  try {
    hub::parse_step(line);
  } catch (const util::Error& e) {
    EXPECT_EQ(e.code(), util::Errc::bad_input) << line;
    return e.what();
  }
  ADD_FAILURE() << "no error for " << line;
  return {};
}

// --- steps -------------------------------------------------------------------------------------

TEST(HubScript, EventWithEverything)
{
  const hub::Step step = hub::parse_step(
    R"({"delay":250,"event":"greet","id":"7","data":"hello\nworld","retry":1000})");
  EXPECT_EQ(step.kind, Kind::event);
  EXPECT_EQ(step.delay, 250ms);
  EXPECT_EQ(step.event.type, "greet");
  EXPECT_EQ(step.event.id, "7");
  EXPECT_EQ(step.event.data, "hello\nworld");
  EXPECT_EQ(step.event.retry, 1000U);
}

TEST(HubScript, EventDefaults)
{
  const hub::Step step = hub::parse_step(R"({"data":"x"})");
  EXPECT_EQ(step.kind, Kind::event);
  EXPECT_EQ(step.delay, 0ms);
  EXPECT_EQ(step.event.type, "message");
  EXPECT_EQ(step.event.id, "") << "numbered by parse_script, not parse_step";
  EXPECT_FALSE(step.event.retry.has_value());
}

TEST(HubScript, EventDataMayBeAnyJsonValue)
{
  EXPECT_EQ(hub::parse_step(R"({"data":{"a":[1,2]}})").event.data, R"({"a":[1,2]})");
  EXPECT_EQ(hub::parse_step(R"({"data":42})").event.data, "42");
  // An event needs no data: a type or an id alone make one.
  EXPECT_EQ(hub::parse_step(R"({"event":"ping"})").kind, Kind::event);
  EXPECT_EQ(hub::parse_step(R"({"id":"9"})").event.id, "9");
  EXPECT_EQ(hub::parse_step(R"({"id":9,"data":"x"})").event.id, "9") << "an integer id";
}

TEST(HubScript, Comment)
{
  const hub::Step step = hub::parse_step(R"({"comment":"keep going","delay":5})");
  EXPECT_EQ(step.kind, Kind::comment);
  EXPECT_EQ(step.text, "keep going");
  EXPECT_EQ(step.delay, 5ms);
  // With data it is an event (as in NDJSON input).
  EXPECT_EQ(hub::parse_step(R"({"comment":"c","data":"d"})").kind, Kind::event);
}

TEST(HubScript, RetryAlone)
{
  const hub::Step step = hub::parse_step(R"({"retry":5000})");
  EXPECT_EQ(step.kind, Kind::retry);
  EXPECT_EQ(step.retry_ms, 5000U);
  // With data, retry belongs to the event.
  const hub::Step event = hub::parse_step(R"({"retry":5000,"data":"x"})");
  EXPECT_EQ(event.kind, Kind::event);
  EXPECT_EQ(event.event.retry, 5000U);
}

TEST(HubScript, Raw)
{
  const hub::Step step = hub::parse_step(R"({"raw":"data: x\r\n\r\n","delay":1})");
  EXPECT_EQ(step.kind, Kind::raw);
  EXPECT_EQ(step.text, "data: x\r\n\r\n");
  EXPECT_EQ(step.delay, 1ms);
}

TEST(HubScript, RawBase64)
{
  EXPECT_EQ(hub::parse_step(R"({"raw_base64":"ZGF0YTogeAoK"})").text, "data: x\n\n");
  const hub::Step padded = hub::parse_step(R"({"raw_base64":"YQ=="})");
  EXPECT_EQ(padded.kind, Kind::raw);
  EXPECT_EQ(padded.text, "a");
  EXPECT_EQ(hub::parse_step(R"({"raw_base64":"YWI="})").text, "ab");
  EXPECT_EQ(hub::parse_step(R"({"raw_base64":"YWJj"})").text, "abc");
  EXPECT_EQ(hub::parse_step(R"({"raw_base64":""})").text, "");
  // Bytes that are not text: an invalid UTF-8 byte and a NUL.
  EXPECT_EQ(hub::parse_step(R"({"raw_base64":"/wA="})").text, std::string("\xff\0", 2));
  EXPECT_EQ(step_error(R"({"raw_base64":"not base64!"})"), "\"raw_base64\" is not base64");
  EXPECT_EQ(step_error(R"({"raw_base64":5})"), "\"raw_base64\" must be a string");
  EXPECT_EQ(step_error(R"({"raw":["x"]})"), "\"raw\" must be a string");
}

TEST(HubScript, Drop)
{
  EXPECT_EQ(hub::parse_step(R"({"drop":true})").kind, Kind::drop);
  const hub::Step later = hub::parse_step(R"({"drop":null,"delay":100})");
  EXPECT_EQ(later.kind, Kind::drop);
  EXPECT_EQ(later.delay, 100ms);
}

TEST(HubScript, Stall)
{
  const hub::Step step = hub::parse_step(R"({"stall":1500,"delay":10})");
  EXPECT_EQ(step.kind, Kind::stall);
  EXPECT_EQ(step.duration, 1500ms);
  EXPECT_EQ(step.delay, 10ms);
  EXPECT_NE(step_error(R"({"stall":-1})").find("\"stall\""), std::string::npos);
}

TEST(HubScript, Status)
{
  const hub::Step full = hub::parse_step(R"({"status":503,"retry_after":10,"body":"busy"})");
  EXPECT_EQ(full.kind, Kind::status);
  EXPECT_EQ(full.status, 503);
  EXPECT_EQ(full.retry_after, 10U);
  EXPECT_EQ(full.text, "busy");
  const hub::Step bare = hub::parse_step(R"({"status":204})");
  EXPECT_EQ(bare.status, 204);
  EXPECT_FALSE(bare.retry_after.has_value());
  EXPECT_EQ(bare.text, "");
  EXPECT_EQ(hub::parse_step(R"({"status":200})").status, 200);
  EXPECT_EQ(hub::parse_step(R"({"status":599})").status, 599);
}

// --- errors ------------------------------------------------------------------------------------

TEST(HubScript, NotAnObject)
{
  for (const char* line : {R"({"data":)", "nonsense", R"([{"data":"x"}])", "42", R"("data")",
                           "null"}) {
    EXPECT_NE(step_error(line).find("JSON"), std::string::npos) << line;
  }
  EXPECT_EQ(step_error("[1]"), "not a JSON object");
}

TEST(HubScript, BadDelays)
{
  for (const char* line : {R"({"delay":-1,"data":"x"})", R"({"delay":1.5,"data":"x"})",
                           R"({"delay":"5","data":"x"})", R"({"delay":null,"data":"x"})"}) {
    EXPECT_EQ(step_error(line), "\"delay\" must be a whole number of milliseconds") << line;
  }
}

TEST(HubScript, StatusOutOfRange)
{
  for (const char* line : {R"({"status":199})", R"({"status":600})", R"({"status":0})",
                           R"({"status":1000})"}) {
    EXPECT_EQ(step_error(line), "\"status\" must be an HTTP status from 200 to 599") << line;
  }
  EXPECT_EQ(step_error(R"({"status":503,"body":7})"), "\"body\" must be a string");
}

TEST(HubScript, MessagesForNonNumbersSayWhatTheNumberIs)
{
  // An HTTP status is not a number of milliseconds, and Retry-After counts seconds.
  const std::string status = step_error(R"({"status":"503"})");
  EXPECT_NE(status.find("\"status\""), std::string::npos) << status;
  EXPECT_EQ(status.find("milliseconds"), std::string::npos) << status;
  const std::string retry_after = step_error(R"({"status":503,"retry_after":-5})");
  EXPECT_NE(retry_after.find("\"retry_after\""), std::string::npos) << retry_after;
  EXPECT_EQ(retry_after.find("milliseconds"), std::string::npos) << retry_after;
}

TEST(HubScript, UnknownStep)
{
  const std::string expected =
    "a step needs one of data, comment, retry, raw, raw_base64, drop, stall or status";
  EXPECT_EQ(step_error("{}"), expected);
  EXPECT_EQ(step_error(R"({"delay":5})"), expected);
  EXPECT_EQ(step_error(R"({"date":"typo"})"), expected);
}

TEST(HubScript, UnwritableEvents)
{
  EXPECT_EQ(step_error(R"({"data":"x","id":"a\nb"})"), "id contains a line break");
  EXPECT_EQ(step_error(R"({"data":"x","id":"a\rb"})"), "id contains a line break");
  EXPECT_EQ(step_error(R"({"data":"x","id":"a\u0000b"})"), "id contains a NUL character");
  EXPECT_EQ(step_error(R"({"data":"x","event":"a\nb"})"), "event type contains a line break");
  EXPECT_NE(step_error(R"({"data":"x","retry":-1})").find("retry"), std::string::npos);
  EXPECT_NE(step_error(R"({"comment":5})").find("comment"), std::string::npos);
}

// --- scripts -----------------------------------------------------------------------------------

TEST(HubScript, EventsWithoutAnIdGetTheirNumberAmongTheEvents)
{
  const std::vector<hub::Step> steps = hub::parse_script(
    "{\"data\":\"one\"}\n"
    "{\"comment\":\"not an event\"}\n"
    "{\"data\":\"two\",\"id\":\"x\"}\n"
    "{\"retry\":100}\n"
    "{\"raw\":\"data: raw\\n\\n\"}\n"
    "{\"data\":\"three\"}\n"
    "{\"drop\":true}\n"
    "{\"data\":\"four\",\"id\":\"\"}\n"
    "{\"data\":\"five\",\"id\":40}\n",
    "ids.ndjson");
  ASSERT_EQ(steps.size(), 9U);
  EXPECT_EQ(steps[0].event.id, "1");
  EXPECT_EQ(steps[2].event.id, "x");
  EXPECT_EQ(steps[5].event.id, "3");
  EXPECT_EQ(steps[7].event.id, "4") << "an empty id is no id";
  EXPECT_EQ(steps[8].event.id, "40");
  EXPECT_EQ(steps[1].kind, Kind::comment);
  EXPECT_EQ(steps[3].kind, Kind::retry);
  EXPECT_EQ(steps[4].kind, Kind::raw);
  EXPECT_EQ(steps[6].kind, Kind::drop);
}

TEST(HubScript, BlankLinesAndLineEnds)
{
  const std::vector<hub::Step> steps =
    hub::parse_script("\n  \t\n{\"data\":\"a\"}\r\n\r\n{\"data\":\"b\"}", "crlf.ndjson");
  ASSERT_EQ(steps.size(), 2U);
  EXPECT_EQ(steps[0].event.data, "a");
  EXPECT_EQ(steps[1].event.data, "b");
  EXPECT_EQ(steps[1].event.id, "2");
  EXPECT_TRUE(hub::parse_script("", "empty.ndjson").empty());
  EXPECT_TRUE(hub::parse_script("\n\n \n", "blank.ndjson").empty());
}

/// The error parse_script throws for TEXT named NAME.
util::Error script_error(std::string_view text, const std::string& name)
{
  try {
    hub::parse_script(text, name);
  } catch (const util::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for " << text;
  return util::Error(util::Errc::runtime, "none");
}

TEST(HubScript, ErrorsNameTheFileAndLine)
{
  struct Case {
    const char* text;
    const char* where;
    const char* message;
  };
  const Case cases[] = {
    {"{\"data\":\"a\"}\n{\"data\":\n", "s.ndjson:2", "not a JSON object"},
    {"\n\n{\"data\":\"a\"}\n[1]\n", "s.ndjson:4", "not a JSON object"},
    {"{\"delay\":-5,\"data\":\"a\"}", "s.ndjson:1",
     "\"delay\" must be a whole number of milliseconds"},
    {"{\"data\":\"a\"}\r\n{\"status\":700}\r\n", "s.ndjson:2",
     "\"status\" must be an HTTP status from 200 to 599"},
    {"{\"data\":\"a\"}\n\n{\"wat\":1}\n", "s.ndjson:3",
     "a step needs one of data, comment, retry, raw, raw_base64, drop, stall or status"},
    {"{\"data\":\"a\",\"id\":\"1\\n2\"}", "s.ndjson:1", "id contains a line break"},
  };
  for (const Case& c : cases) {
    const util::Error error = script_error(c.text, "s.ndjson");
    EXPECT_EQ(error.code(), util::Errc::bad_input) << c.text;
    EXPECT_EQ(error.where(), c.where) << c.text;
    EXPECT_STREQ(error.what(), c.message) << c.text;
  }
}

// --- resuming ----------------------------------------------------------------------------------

TEST(HubScript, ResumeAfterSkipsTheFaultsAfterTheEvent)
{
  hub::ScriptProgram program(hub::parse_script("{\"comment\":\"hello\"}\n"    // 0
                                               "{\"data\":\"a\"}\n"           // 1: id 1
                                               "{\"drop\":true}\n"            // 2
                                               "{\"stall\":10}\n"             // 3
                                               "{\"status\":503}\n"           // 4
                                               "{\"data\":\"b\",\"id\":\"x\"}\n" // 5
                                               "{\"comment\":\"between\"}\n"  // 6
                                               "{\"raw\":\": raw\\n\\n\"}\n"  // 7
                                               "{\"data\":\"c\"}\n",          // 8: id 3
                                               "r.ndjson"));
  EXPECT_EQ(program.resume_after("1"), 5U);
  EXPECT_EQ(program.resume_after("x"), 8U) << "comments and raw bytes are skipped too";
  EXPECT_EQ(program.resume_after("3"), 9U) << "the last event: past the end";
  EXPECT_EQ(program.step(9), nullptr);
  EXPECT_EQ(program.resume_after("2"), std::nullopt) << "event 2 has id x";
  EXPECT_EQ(program.resume_after("nope"), std::nullopt);
  EXPECT_EQ(program.resume_after(""), std::nullopt);
  ASSERT_NE(program.step(5), nullptr);
  EXPECT_EQ(program.step(5)->event.data, "b");
}

TEST(HubScript, ResumeAfterTheLastEventBeforeTrailingFaults)
{
  hub::ScriptProgram program(
    hub::parse_script("{\"data\":\"a\"}\n{\"data\":\"b\"}\n{\"drop\":true}\n{\"stall\":5}\n", "t"));
  EXPECT_EQ(program.resume_after("1"), 1U);
  EXPECT_EQ(program.resume_after("2"), 4U) << "past the end: the faults are not repeated";
  EXPECT_EQ(program.step(4), nullptr);
}

TEST(HubScript, ResumeAfterARepeatedIdGoesOnFromItsLastUse)
{
  hub::ScriptProgram program(hub::parse_script(
    "{\"data\":\"a\",\"id\":\"same\"}\n{\"data\":\"b\",\"id\":\"same\"}\n{\"data\":\"c\"}\n", "d"));
  EXPECT_EQ(program.resume_after("same"), 2U);
}

TEST(HubScript, AnEmptyProgram)
{
  hub::ScriptProgram program({});
  EXPECT_EQ(program.step(0), nullptr);
  EXPECT_EQ(program.resume_after("1"), std::nullopt);
}

} // namespace

namespace {

TEST(HubScript, ANumberTooLargeForADoubleIsBadInput)
{
  // The JSON reader throws out_of_range, not parse_error, for it (found by script_fuzz).
  EXPECT_EQ(step_error(R"({"data":1e400})"), "not a JSON object");
  EXPECT_EQ(step_error(R"({"delay":-1e400,"data":"x"})"), "not a JSON object");
}

TEST(HubScript, RefusesADelayOrStallTooLongToWait)
{
  // Taken as milliseconds, these wrapped to a negative wait or past the clock: played at once.
  EXPECT_NE(step_error(R"({"data":"x","delay":18446744073709551615})").find("\"delay\""),
            std::string::npos);
  EXPECT_NE(step_error(R"({"stall":9223372036854775807})").find("\"stall\""), std::string::npos);
  EXPECT_NE(step_error(R"({"data":"x","delay":1000000000001})").find("at most"),
            std::string::npos);
  EXPECT_EQ(hub::parse_step(R"({"data":"x","delay":1000000000000})").delay,
            std::chrono::milliseconds(1'000'000'000'000));
}

} // namespace
