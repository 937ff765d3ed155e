#pragma once
// Writes events as canonical event-stream text: the exact inverse of the parser for data
// without CR. It tracks the last event ID it has sent, because the parser's id persists.

#include "sse/event.hpp"

#include <string>
#include <string_view>

namespace sse {

/// Why an event cannot be written as event-stream text.
enum class FormatProblem {
  none,
  id_has_line_break,   ///< CR or LF in the id would end the id: line
  id_has_nul,          ///< the parser ignores an id: field that contains NUL
  type_has_line_break, ///< CR or LF in the event type would end the event: line
};

/// A message for a FormatProblem ("id contains a line break").
std::string_view describe(FormatProblem problem);

class Formatter {
public:
  /// What would stop EVENT from being written; none when it can be.
  static FormatProblem check(const EventView& event);

  /// Appends EVENT's lines and the blank line that dispatches it to OUT. `event:` is left out
  /// for "message", `id:` when the last event ID would not change. The event must pass check().
  void append(std::string& out, const EventView& event);

  /// Appends a comment line for each line of TEXT.
  static void append_comment(std::string& out, std::string_view text);

  /// The last event ID the written text has set.
  const std::string& last_event_id() const noexcept { return m_last_id; }

private:
  std::string m_last_id;
};

} // namespace sse
