#include "output.hpp"

#include "json/ndjson.hpp"
#include "util/error.hpp"
#include "view/terminal_text.hpp"

#include <rang.hpp>

#include <cstdlib>
#include <sstream>
#include <unistd.h>

namespace cmd {
namespace {

// The human view shows untrusted text through view::append_terminal_text, so that data
// cannot drive the terminal.
std::string visible(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  view::append_terminal_text(out, text);
  return out;
}

bool env_set(const char* name)
{
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0';
}

} // namespace

Format choose_format(std::optional<Format> format, int fd)
{
  if (format) {
    return *format;
  }
  return ::isatty(fd) != 0 ? Format::pretty : Format::json;
}

bool use_color(const std::string& when, int fd)
{
  if (when == "never") {
    return false;
  }
  if (when == "always") {
    return true;
  }
  // https://no-color.org: present and not empty disables colour; CLICOLOR_FORCE forces it.
  if (env_set("NO_COLOR")) {
    return false;
  }
  if (env_set("CLICOLOR_FORCE") && std::string_view(std::getenv("CLICOLOR_FORCE")) != "0") {
    return true;
  }
  const char* term = std::getenv("TERM");
  return ::isatty(fd) != 0 && !(term != nullptr && std::string_view(term) == "dumb");
}

EventPrinter::EventPrinter(Format format, bool color, bool json_data)
  : m_format(format), m_color(color), m_json_data(json_data)
{
}

void EventPrinter::print(std::string& out, const sse::EventView& event)
{
  switch (m_format) {
  case Format::json:
    json::append_event(out, event, m_json_data);
    out.push_back('\n');
    return;
  case Format::data:
    out.append(event.data);
    out.push_back('\n');
    return;
  case Format::sse:
    m_formatter.append(out, event);
    return;
  case Format::raw:
    out.append(event.raw);
    return;
  case Format::pretty:
    print_pretty(out, event);
    return;
  }
}

void EventPrinter::print_unclaimed(std::string& out, std::string_view raw)
{
  if (m_format == Format::raw) {
    out.append(raw);
  }
}

void EventPrinter::print_comment(std::string& out, std::string_view text)
{
  switch (m_format) {
  case Format::json:
    out.append("{\"comment\":");
    json::append_string(out, text);
    out.append("}\n");
    return;
  case Format::sse:
    sse::Formatter::append_comment(out, text);
    return;
  case Format::pretty: {
    std::ostringstream line;
    rang::setControlMode(m_color ? rang::control::Force : rang::control::Off);
    line << rang::style::dim << ":" << visible(text) << rang::style::reset << '\n';
    out.append(line.str());
    return;
  }
  case Format::data:
  case Format::raw:
    return; // raw has the comment among its bytes already; data has no place for it
  }
}

void EventPrinter::print_value(std::string& out, const sse::EventView& event,
                               const ::json::Value& value)
{
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  switch (m_format) {
  case Format::data:
    out.append(text);
    if (!value.is_string()) {
      out.push_back('\n');
    }
    return;
  case Format::json: {
    sse::EventView view = event;
    const std::string dumped = value.dump();
    view.data = dumped;
    json::append_event(out, view, true);
    out.push_back('\n');
    return;
  }
  case Format::sse:
  case Format::raw:
  case Format::pretty: {
    sse::EventView view = event;
    view.data = text;
    print(out, view);
    return;
  }
  }
}

void EventPrinter::print_message(std::string& out, const sse::EventView& message, bool json)
{
  switch (m_format) {
  case Format::json:
    out += "{\"offset\":";
    out += quoted(message.id);
    out += ",\"data\":";
    if (json) {
      out += message.data;
    } else {
      out += ::json::Value(std::string(message.data))
               .dump(-1, ' ', false, ::json::Value::error_handler_t::replace);
    }
    out += "}\n";
    return;
  case Format::data:
  case Format::raw:
    out += message.data;
    if (json) {
      out.push_back('\n');
    }
    return;
  case Format::sse:
  case Format::pretty:
    print(out, message);
    return;
  }
}

// Made once per response rather than once per message: the messages of one share it.
const std::string& EventPrinter::quoted(std::string_view next_offset)
{
  if (next_offset != m_quoted_for) {
    m_quoted_for = next_offset;
    m_quoted = ::json::Value(m_quoted_for).dump();
  }
  return m_quoted;
}

void EventPrinter::print_pretty(std::string& out, const sse::EventView& event)
{
  std::ostringstream text;
  rang::setControlMode(m_color ? rang::control::Force : rang::control::Off);
  text << rang::style::bold << rang::fg::cyan << visible(event.type) << rang::style::reset;
  if (!event.id.empty()) {
    text << "  " << rang::fg::yellow << "id " << visible(event.id) << rang::style::reset;
  }
  if (event.retry) {
    text << "  " << rang::fg::magenta << "retry " << *event.retry << "ms" << rang::style::reset;
  }
  text << '\n';
  std::string data;
  if (!m_json_data || !json::append_minified(data, event.data)) {
    data.assign(event.data);
  }
  std::size_t start = 0;
  while (start <= data.size()) {
    const std::size_t stop = std::min(data.find('\n', start), data.size());
    text << "  " << visible(std::string_view(data).substr(start, stop - start)) << '\n';
    start = stop + 1;
  }
  out.append(text.str());
}

} // namespace cmd
