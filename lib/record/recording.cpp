#include "record/recording.hpp"

#include "json/ndjson.hpp"
#include "json/object_line.hpp"
#include "sse/parser.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

#include "json/value_type.hpp"

#include <variant>

namespace record {
namespace {

[[noreturn]] void bad(const std::string& what)
{
  throw util::Error(util::Errc::bad_input, what);
}

/// Event-stream text: events in order, no timing.
std::vector<Entry> read_event_stream(std::string_view text)
{
  struct Collect : sse::ParserHandler {
    std::vector<Entry> entries;
    void on_event(const sse::EventView& event) override
    {
      Entry entry;
      entry.event = sse::to_event(event);
      entries.push_back(std::move(entry));
    }
  } collect;
  sse::ParserOptions options;
  options.max_event_size = text.size() + 1; // the whole file is in memory already
  sse::Parser parser(collect, options);
  parser.feed(text);
  parser.finish();
  return std::move(collect.entries);
}

Entry read_line(std::string_view line)
{
  const ::json::Value object = json::parse_object_line(line);
  Entry entry;
  if (const auto t = object.find("t"); t != object.end()) {
    if (!t->is_number_unsigned() && !(t->is_number_integer() && t->get<std::int64_t>() >= 0)) {
      bad("\"t\" is not a whole number of milliseconds");
    }
    entry.t = t->get<std::uint64_t>();
    // Later read as a wait: a time past the bound would wrap and play at once.
    if (!util::duration_from_ms(*entry.t)) {
      bad("\"t\" must be at most " + std::to_string(util::k_max_duration.count()) +
          " milliseconds");
    }
  }
  if (const auto marker = object.find("reconnect"); marker != object.end()) {
    if (*marker != true) {
      bad("\"reconnect\" is not true");
    }
    entry.kind = Entry::Kind::reconnect;
    return entry;
  }
  auto item = json::event_from_object(object);
  if (auto* comment = std::get_if<json::Comment>(&item)) {
    entry.kind = Entry::Kind::comment;
    entry.comment = std::move(comment->text);
  } else {
    entry.event = std::move(std::get<sse::Event>(item));
  }
  return entry;
}

} // namespace

void append_event(std::string& out, const sse::EventView& event, std::uint64_t t)
{
  json::append_event(out, event, false);
  out.pop_back(); // the closing brace: "t" goes last
  out += ",\"t\":";
  out += std::to_string(t);
  out += "}\n";
}

void append_reconnect(std::string& out, std::uint64_t t)
{
  out += "{\"reconnect\":true,\"t\":";
  out += std::to_string(t);
  out += "}\n";
}

std::vector<Entry> read_recording(std::string_view text, const std::string& name,
                                  const SkipHandler& on_skip)
{
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  // NDJSON starts with an object; anything else is event-stream text.
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] != '{') {
    return read_event_stream(text);
  }
  std::vector<Entry> entries;
  std::uint64_t number = 0;
  std::optional<std::uint64_t> last_t;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    const bool last_unterminated = end == std::string_view::npos;
    text.remove_prefix(last_unterminated ? text.size() : end + 1);
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    const std::string where = name + ":" + std::to_string(number);
    try {
      Entry entry;
      try {
        entry = read_line(line);
      } catch (const util::Error& e) {
        // A recorder killed mid-write leaves a last line without its newline.
        if (last_unterminated) {
          bad(std::string("truncated last line (") + e.what() + ")");
        }
        throw;
      }
      if (entry.t) {
        if (last_t && *entry.t < *last_t) {
          bad("\"t\" goes backwards, from " + std::to_string(*last_t) + " to " +
              std::to_string(*entry.t));
        }
        last_t = entry.t;
      }
      entries.push_back(std::move(entry));
    } catch (const util::Error& e) {
      if (!on_skip) {
        throw e.at(where);
      }
      on_skip(e.what(), where);
    }
  }
  return entries;
}

} // namespace record
