#include "hub/script.hpp"

#include "json/ndjson.hpp"
#include "json/object_line.hpp"
#include "sse/formatter.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

#include "json/value_type.hpp"

#include <variant>

namespace hub {
namespace {

using Json = ::json::Value;

[[noreturn]] void bad(const std::string& what)
{
  throw util::Error(util::Errc::bad_input, what);
}

/// OBJECT's KEY, a whole number of UNIT ("milliseconds", "seconds", or "" for a plain number).
std::uint64_t whole_number(const Json& object, const char* key, const char* unit)
{
  const Json& value = object.at(key);
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
    bad(std::string("\"") + key + "\" must be a whole number" +
        (*unit != '\0' ? std::string(" of ") + unit : std::string()));
  }
  return value.get<std::uint64_t>();
}

/// OBJECT's KEY, a whole number of milliseconds that a timer can wait.
std::chrono::milliseconds wait_of(const Json& object, const char* key)
{
  const auto wait = util::duration_from_ms(whole_number(object, key, "milliseconds"));
  if (!wait) {
    bad(std::string("\"") + key + "\" must be at most " +
        std::to_string(util::k_max_duration.count()) + " milliseconds");
  }
  return *wait;
}

std::string base64_decode(const std::string& text)
{
  static constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') {
      break;
    }
    const auto value = alphabet.find(c);
    if (value == std::string_view::npos) {
      bad("\"raw_base64\" is not base64");
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xffU));
    }
  }
  return out;
}

} // namespace

Step parse_step(std::string_view line)
{
  const Json object = json::parse_object_line(line);
  Step step;
  if (object.contains("delay")) {
    step.delay = wait_of(object, "delay");
  }
  if (object.contains("drop")) {
    step.kind = Step::Kind::drop;
  } else if (object.contains("stall")) {
    step.kind = Step::Kind::stall;
    step.duration = wait_of(object, "stall");
  } else if (object.contains("status")) {
    step.kind = Step::Kind::status;
    const std::uint64_t status = whole_number(object, "status", "");
    if (status < 200 || status > 599) {
      bad("\"status\" must be an HTTP status from 200 to 599");
    }
    step.status = static_cast<int>(status);
    if (object.contains("retry_after")) {
      step.retry_after = whole_number(object, "retry_after", "seconds");
    }
    if (object.contains("body")) {
      if (!object["body"].is_string()) {
        bad("\"body\" must be a string");
      }
      step.text = object["body"].get<std::string>();
    }
  } else if (object.contains("raw")) {
    step.kind = Step::Kind::raw;
    if (!object["raw"].is_string()) {
      bad("\"raw\" must be a string");
    }
    step.text = object["raw"].get<std::string>();
  } else if (object.contains("raw_base64")) {
    step.kind = Step::Kind::raw;
    if (!object["raw_base64"].is_string()) {
      bad("\"raw_base64\" must be a string");
    }
    step.text = base64_decode(object["raw_base64"].get<std::string>());
  } else if (object.contains("data") || object.contains("event") || object.contains("id") ||
             object.contains("comment")) {
    auto item = json::parse_event_line(line);
    if (auto* comment = std::get_if<json::Comment>(&item)) {
      step.kind = Step::Kind::comment;
      step.text = std::move(comment->text);
    } else {
      step.kind = Step::Kind::event;
      step.event = std::move(std::get<sse::Event>(item));
      if (const auto problem = sse::Formatter::check(step.event.view());
          problem != sse::FormatProblem::none) {
        bad(std::string(sse::describe(problem)));
      }
    }
  } else if (object.contains("retry")) {
    step.kind = Step::Kind::retry;
    step.retry_ms = whole_number(object, "retry", "milliseconds");
  } else {
    bad("a step needs one of data, comment, retry, raw, raw_base64, drop, stall or status");
  }
  return step;
}

namespace {

/// Gives events without an id their number among the events.
void number_events(std::vector<Step>& steps)
{
  std::uint64_t events = 0;
  for (Step& step : steps) {
    if (step.kind != Step::Kind::event) {
      continue;
    }
    ++events;
    if (step.event.id.empty()) {
      step.event.id = std::to_string(events);
    }
  }
}

} // namespace

std::vector<Step> steps_from_timeline(const std::vector<record::TimedEntry>& timeline)
{
  std::vector<Step> steps;
  std::chrono::milliseconds previous{0};
  for (const auto& item : timeline) {
    Step step;
    step.delay = item.at - previous;
    previous = item.at;
    switch (item.entry.kind) {
    case record::Entry::Kind::event:
      step.kind = Step::Kind::event;
      step.event = item.entry.event;
      break;
    case record::Entry::Kind::comment:
      step.kind = Step::Kind::comment;
      step.text = item.entry.comment;
      break;
    case record::Entry::Kind::reconnect:
      step.kind = Step::Kind::drop;
      break;
    }
    steps.push_back(std::move(step));
  }
  number_events(steps);
  return steps;
}

std::vector<Step> parse_script(std::string_view text, const std::string& name)
{
  std::vector<Step> steps;
  std::uint64_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    try {
      steps.push_back(parse_step(line));
    } catch (const util::Error& e) {
      throw e.at(name + ":" + std::to_string(number));
    }
  }
  number_events(steps);
  return steps;
}

} // namespace hub
