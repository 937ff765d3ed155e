#include "event_sink.hpp"

#include "exit_codes.hpp"
#include "json/value.hpp"

#include <cstring>

namespace cmd {
namespace {

// The message of an error a server reports inside a 200 stream, if this event is one:
// `event: error`, or JSON data with a top-level "error" (OpenAI-style).
std::optional<std::string> server_error(const sse::EventView& event, std::uint64_t number,
                                        const std::string& url)
{
  if (event.type == "error") {
    return event.data.empty() ? std::string("error event") : std::string(event.data);
  }
  const auto start = event.data.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || event.data[start] != '{') {
    return std::nullopt;
  }
  // This runs on every event: memmem is much faster than string_view::find, which stops at
  // every quote of the JSON.
  static constexpr std::string_view needle = "\"error\"";
  if (::memmem(event.data.data(), event.data.size(), needle.data(), needle.size()) == nullptr) {
    return std::nullopt;
  }
  // The depth-limited reader: a report nested deeper than json::k_max_depth is bad input, not
  // a stack overflow when its message is written out.
  ::json::Value parsed;
  try {
    parsed = ::json::parse_value(event.data);
  } catch (const ::json::TooDeep& e) {
    throw util::Error(util::Errc::bad_input,
                      "the data of event " + std::to_string(number) + " is " + e.what(), url);
  } catch (const util::Error&) {
    return std::nullopt;
  }
  if (!parsed.is_object() || !parsed.contains("error") || parsed["error"].is_null()) {
    return std::nullopt;
  }
  const auto& error = parsed["error"];
  if (error.is_object() && error.contains("message") && error["message"].is_string()) {
    return error["message"].get<std::string>();
  }
  return error.is_string() ? error.get<std::string>() : error.dump();
}

} // namespace

EventSink::EventSink(const SinkOptions& options, const Context& context, Writer& out,
                     SinkSource source)
  : m_options(options), m_context(context), m_out(out), m_source(std::move(source)),
    m_types(options.events.begin(), options.events.end())
{
  if (!options.extract.empty()) {
    m_pointer = ::json::Value::json_pointer(options.extract);
  }
  if (!options.cursor_file.empty()) {
    m_cursor.emplace(options.cursor_file);
  }
  if (options.apply) {
    m_state = std::make_unique<StateSession>(options.state, context, out, m_source.title);
  }
  if (!options.record.empty()) {
    m_record = std::make_unique<RecordingFile>(options.record);
  }
}

std::optional<std::string> EventSink::saved_cursor() const
{
  return m_cursor ? m_cursor->load() : std::nullopt;
}

void EventSink::event(const sse::EventView& event) { take(event, Kind::event); }

void EventSink::message(std::string_view json, const std::string& next_offset)
{
  take({sse::k_default_type, json, next_offset, std::nullopt, {}}, Kind::json_message);
}

void EventSink::chunk(std::string_view bytes, const std::string& next_offset)
{
  if (m_state) {
    throw util::Error(util::Errc::bad_input, "--apply needs a JSON stream (application/json)",
                      m_source.name);
  }
  take({sse::k_default_type, bytes, next_offset, std::nullopt, {}}, Kind::byte_chunk);
}

void EventSink::comment(std::string_view text)
{
  if (m_options.comments) {
    printer(Kind::event).print_comment(m_out.buffer(), text);
  }
}

void EventSink::unclaimed(std::string_view bytes)
{
  printer(Kind::event).print_unclaimed(m_out.buffer(), bytes);
}

void EventSink::reconnecting()
{
  m_reconnect_requested = false;
  if (m_record) {
    m_record->reconnect();
  }
}

void EventSink::reached(std::string_view position) { m_position.emplace(position); }

void EventSink::flush()
{
  if (m_state) {
    m_state->flush();
  }
  m_out.flush();
  // Only after the events are out: a crash in between shows an event twice, never loses one.
  // A rename per chunk would cost more than the parsing, so at most every 100 ms, and once
  // more when the run ends.
  if (m_cursor && std::chrono::steady_clock::now() - m_cursor_saved >= k_cursor_interval) {
    save_cursor();
  }
}

int EventSink::ended()
{
  if (m_stdout_closed) {
    return k_exit_ok;
  }
  if (m_state) {
    m_state->finish(); // --final prints the state now; the view stays on screen
  }
  m_out.flush();
  save_cursor();
  return k_exit_ok;
}

void EventSink::take(const sse::EventView& event, Kind kind)
{
  ++m_event_number;
  if (m_record) {
    // Every event as received, before any filter, and on disk before it is printed.
    m_record->event(event);
  }
  if (m_source.server_errors) {
    if (auto message = server_error(event, m_event_number, m_source.name)) {
      flush(); // what came before the error is delivered
      throw util::Error(util::Errc::bad_input,
                        "the server reported an error in event " + std::to_string(m_event_number)
                          + ": " + *message,
                        m_source.name);
    }
  }
  if (is_terminator(event, kind)) {
    m_done = true; // a terminator, not data: not printed
    return;
  }
  if (m_types.empty() || m_types.count(event.type) != 0) {
    deliver(event, kind);
  }
  // Stop conditions see every event, printed or not.
  if (!m_options.until.empty() && event.type == m_options.until) {
    m_done = true;
  }
}

// --until-data TEXT: the data; a Durable Streams JSON message also when it is the string TEXT.
// A byte stream's chunks are where the network split it, never a terminator.
bool EventSink::is_terminator(const sse::EventView& event, Kind kind) const
{
  if (!m_options.until_data || kind == Kind::byte_chunk) {
    return false;
  }
  if (event.data == *m_options.until_data) {
    return true;
  }
  if (kind == Kind::json_message && !event.data.empty() && event.data.front() == '"') {
    const auto parsed = ::json::parse_or_discarded(event.data);
    return parsed.is_string() && parsed.get_ref<const std::string&>() == *m_options.until_data;
  }
  return false;
}

void EventSink::deliver(const sse::EventView& event, Kind kind)
{
  if (m_state) {
    const auto outcome = m_state->on_event(event.type, {event.data, nullptr}, m_source.name);
    if (outcome == state::Outcome::Kind::reconnect) {
      m_reconnect_requested = true;
    }
    count();
    return;
  }
  if (m_pointer && kind != Kind::byte_chunk) {
    // Only events whose data is JSON with something at the pointer have a value to print.
    const auto parsed = ::json::parse_or_discarded(event.data);
    if (parsed.is_discarded() || !parsed.contains(*m_pointer)) {
      return;
    }
    printer(kind).print_value(m_out.buffer(), event, parsed.at(*m_pointer));
  } else if (kind == Kind::event) {
    printer(kind).print(m_out.buffer(), event);
  } else {
    printer(kind).print_message(m_out.buffer(), event, kind == Kind::json_message);
  }
  m_out.flush_if_large();
  count();
}

void EventSink::count()
{
  if (m_options.max_events != 0 && ++m_printed >= m_options.max_events) {
    m_done = true;
  }
}

// Made at the first event, when the reader knows what it reads: without -f, a Durable Streams
// byte stream is written as the bytes it is, and its JSON messages are always JSON.
EventPrinter& EventSink::printer(Kind kind)
{
  if (!m_printer) {
    const Format format = kind == Kind::byte_chunk && !m_options.format
                            ? Format::raw
                            : choose_format(m_options.format);
    const bool json_data = kind == Kind::event ? m_options.json_data : kind == Kind::json_message;
    m_printer.emplace(format, use_color(m_context.color), json_data);
  }
  return *m_printer;
}

void EventSink::save_cursor()
{
  if (m_cursor && m_position) {
    m_cursor->save(*m_position);
    m_cursor_saved = std::chrono::steady_clock::now();
  }
}

} // namespace cmd
