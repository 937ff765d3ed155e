#pragma once
// How events reach stdout: the formats of DESIGN.md §3 and the colour policy. The only user
// of rang.

#include "sse/event.hpp"
#include "sse/formatter.hpp"

#include "json/value_type.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cmd {

enum class Format { json, pretty, data, sse, raw };

/// The names -f accepts, in the order the help lists them and of Format's values.
inline constexpr const char* k_format_names[] = {"json", "pretty", "data", "sse", "raw"};

/// FORMAT, or without one, pretty on a terminal and json otherwise.
Format choose_format(std::optional<Format> format, int fd = 1);

/// Whether to colour output on FD: --color WHEN, then NO_COLOR, CLICOLOR_FORCE and a terminal.
bool use_color(const std::string& when, int fd = 1);

/// Writes events in one format; the raw format needs the parser to keep raw bytes.
class EventPrinter {
public:
  EventPrinter(Format format, bool color, bool json_data);

  /// Appends EVENT, or an error naming what cannot be represented in this format.
  void print(std::string& out, const sse::EventView& event);
  /// Appends bytes that belong to no event: the raw format passes them through too.
  void print_unclaimed(std::string& out, std::string_view raw);
  /// Appends a comment line: {"comment": TEXT} in json, ":TEXT" in sse, dimmed in pretty.
  void print_comment(std::string& out, std::string_view text);
  /// Appends EVENT with VALUE (from --extract) in place of its data. In the data format a
  /// string is written as it is with no newline, so tokens of a stream join up.
  void print_value(std::string& out, const sse::EventView& event, const ::json::Value& value);
  /// Appends a Durable Streams message, MESSAGE's data with the next offset as its id: JSON
  /// text when JSON is true, else a chunk of a byte stream. json writes {"offset", "data"};
  /// data and raw the message itself (a JSON message on a line, a chunk as its bytes).
  void print_message(std::string& out, const sse::EventView& message, bool json);

private:
  void print_pretty(std::string& out, const sse::EventView& event);
  const std::string& quoted(std::string_view next_offset);

  Format m_format;
  bool m_color;
  bool m_json_data;
  sse::Formatter m_formatter;
  std::string m_quoted_for; // the offset m_quoted holds as a JSON string
  std::string m_quoted = "\"\"";
};

} // namespace cmd
