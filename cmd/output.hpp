#pragma once
// How events reach stdout: the formats of DESIGN.md §3 and the colour policy. The only user
// of rang.

#include "sse/event.hpp"
#include "sse/formatter.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cmd {

enum class Format { json, pretty, data, sse, raw };

/// The names -f accepts, in the order the help lists them.
inline constexpr const char* k_format_names[] = {"json", "pretty", "data", "sse", "raw"};

/// The format named NAME, or, for an empty NAME, pretty on a terminal and json otherwise.
Format choose_format(const std::string& name, int fd = 1);

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

private:
  void print_pretty(std::string& out, const sse::EventView& event);

  Format m_format;
  bool m_color;
  bool m_json_data;
  sse::Formatter m_formatter;
};

} // namespace cmd
