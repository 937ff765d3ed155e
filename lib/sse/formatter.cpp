#include "sse/formatter.hpp"

#include <cstring>

namespace sse {
namespace {

bool has_line_break(std::string_view text)
{
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// Appends "NAME: VALUE\n", or "NAME:\n" for an empty value; the space keeps a value that
// itself starts with a space intact, since the parser strips exactly one.
void append_field(std::string& out, std::string_view name, std::string_view value)
{
  out.append(name);
  out.push_back(':');
  if (!value.empty()) {
    out.push_back(' ');
    out.append(value);
  }
  out.push_back('\n');
}

// Calls EMIT for every line of TEXT, where CRLF, LF and CR all end a line, as they do for
// the parser; text ending in a break has a final empty line.
template <typename Emit> void for_each_line(std::string_view text, Emit emit)
{
  std::size_t start = 0;
  while (true) {
    const std::size_t stop = text.find_first_of("\r\n", start);
    if (stop == std::string_view::npos) {
      emit(text.substr(start));
      return;
    }
    emit(text.substr(start, stop - start));
    start = stop + 1;
    if (text[stop] == '\r' && start < text.size() && text[start] == '\n') {
      ++start;
    }
  }
}

} // namespace

std::string_view describe(FormatProblem problem)
{
  switch (problem) {
  case FormatProblem::none:
    return "no problem";
  case FormatProblem::id_has_line_break:
    return "id contains a line break";
  case FormatProblem::id_has_nul:
    return "id contains a NUL character";
  case FormatProblem::type_has_line_break:
    return "event type contains a line break";
  }
  return "unknown problem";
}

FormatProblem Formatter::check(const EventView& event)
{
  if (has_line_break(event.id)) {
    return FormatProblem::id_has_line_break;
  }
  if (event.id.find('\0') != std::string_view::npos) {
    return FormatProblem::id_has_nul;
  }
  if (has_line_break(event.type)) {
    return FormatProblem::type_has_line_break;
  }
  return FormatProblem::none;
}

void Formatter::append(std::string& out, const EventView& event)
{
  if (!event.type.empty() && event.type != k_default_type) {
    append_field(out, "event", event.type);
  }
  if (event.id != m_last_id) {
    append_field(out, "id", event.id);
    m_last_id.assign(event.id);
  }
  if (event.retry) {
    append_field(out, "retry", std::to_string(*event.retry));
  }
  for_each_line(event.data, [&out](std::string_view line) { append_field(out, "data", line); });
  out.push_back('\n');
}

void Formatter::append_comment(std::string& out, std::string_view text)
{
  for_each_line(text, [&out](std::string_view line) {
    out.push_back(':');
    out.append(line);
    out.push_back('\n');
  });
}

} // namespace sse
