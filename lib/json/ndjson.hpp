#pragma once
// The NDJSON event object of DESIGN.md §3, both ways:
// {"event": TYPE, "data": STRING, "id": LAST_EVENT_ID, "retry": MS}.

#include "sse/event.hpp"

#include "json/value_type.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace json {

/// Appends TEXT as a JSON string literal; TEXT must be valid UTF-8.
void append_string(std::string& out, std::string_view text);

/// Appends TEXT without the white space between tokens if it is one valid JSON text (RFC 8259)
/// nested at most k_max_depth deep, keeping numbers and strings exactly as written; returns
/// false and appends nothing otherwise.
bool append_minified(std::string& out, std::string_view text);

/// Appends EVENT as one NDJSON object without the newline. `id` is left out when empty and
/// `retry` when unset. With JSON_DATA, data that is valid JSON is embedded as JSON.
void append_event(std::string& out, const sse::EventView& event, bool json_data);

/// A comment line as read from an NDJSON object {"comment": TEXT}.
struct Comment {
  std::string text;
};

/// Reads one NDJSON line: an event object, or a comment object. `data` may be any JSON value
/// (non-strings are written back compactly, the inverse of --json-data), `event` and `id` are
/// strings (an integer id is accepted), `retry` a non-negative integer; other keys are ignored.
/// Throws util::Error(bad_input) naming what is wrong, as json::parse_value does for invalid
/// JSON or JSON nested deeper than k_max_depth.
std::variant<sse::Event, Comment> parse_event_line(std::string_view line);

/// Reads an NDJSON line already parsed into OBJECT, as parse_event_line does, for readers that
/// look at more keys of the line (a recording's "t").
std::variant<sse::Event, Comment> event_from_object(const Value& object);

} // namespace json
