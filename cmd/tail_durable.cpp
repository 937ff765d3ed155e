// sse tail on a Durable Streams stream: messages from an offset, live by SSE or long-poll,
// until Stream-Closed. A JSON stream prints one message per line; any other stream its bytes.
// --cursor-file saves the next offset once what came before it is on stdout.

#include "cursor_file.hpp"
#include "durable_options.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "output.hpp"
#include "recording_file.hpp"
#include "stdout_watch.hpp"
#include "tail_options.hpp"
#include "trace.hpp"
#include "durable/client/reader.hpp"
#include "http/httplib_transport.hpp"
#include "json/value.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <iostream>
#include <memory>
#include <set>

namespace cmd {
namespace {

durable::Live live_mode(const std::optional<std::string>& name)
{
  if (!name || *name == "sse") {
    return durable::Live::sse;
  }
  return *name == "long-poll" ? durable::Live::long_poll : durable::Live::none;
}

class DurableTailHandler : public durable::ReaderHandler {
public:
  DurableTailHandler(const TailOptions& options, const Context& context, Writer& out,
                     const std::string& url)
    : m_options(options), m_context(context), m_out(out), m_url(url),
      m_types(options.events.begin(), options.events.end())
  {
    if (!options.extract.empty()) {
      m_pointer = nlohmann::json::json_pointer(options.extract);
    }
    if (!options.cursor_file.empty()) {
      m_cursor.emplace(options.cursor_file);
    }
    if (options.apply) {
      m_state = std::make_unique<StateSession>(options.state, context, out, "sse tail " + url);
    }
    if (!options.record.empty()) {
      m_record = std::make_unique<RecordingFile>(options.record);
    }
  }

  std::optional<std::string> saved_cursor() const
  {
    return m_cursor ? m_cursor->load() : std::nullopt;
  }

  void on_request(const http::Request& request, std::uint32_t attempt) override
  {
    if (m_context.verbosity > 0) {
      trace_request(request, attempt > 0 ? "(request " + std::to_string(attempt + 1) + ")" : "");
    }
  }

  void on_response(const http::ResponseHead& head) override
  {
    if (m_context.verbosity > 0) {
      trace_response(head.status, head.reason, head.headers);
    }
  }

  void on_message(std::string_view json, const std::string& next_offset) override
  {
    if (!m_printer) {
      m_printer.emplace(format(true), use_color(m_context.color), true);
    }
    const sse::EventView event{sse::k_default_type, json, next_offset, std::nullopt, {}};
    if (m_record) {
      m_record->event(event);
    }
    if (m_options.until_data && is_terminator(json)) {
      m_done = true;
      return;
    }
    if (!m_types.empty() && m_types.count(std::string(sse::k_default_type)) == 0) {
      return;
    }
    if (m_state) {
      m_state->on_event(sse::k_default_type, {json, nullptr}, m_url);
    } else if (m_pointer) {
      const auto parsed = ::json::parse_or_discarded(json);
      if (parsed.is_discarded() || !parsed.contains(*m_pointer)) {
        return;
      }
      m_printer->print_value(m_out.buffer(), event, parsed.at(*m_pointer));
    } else if (m_format == Format::json) {
      std::string& out = m_out.buffer();
      out += "{\"offset\":";
      out += quoted(next_offset);
      out += ",\"data\":";
      out += json;
      out += "}\n";
    } else if (m_format == Format::data || m_format == Format::raw) {
      m_out.buffer().append(json).push_back('\n');
    } else {
      m_printer->print(m_out.buffer(), event);
    }
    m_out.flush_if_large();
    count();
  }

  void on_bytes(std::string_view bytes, const std::string& next_offset) override
  {
    if (m_state) {
      throw util::Error(util::Errc::bad_input, "--apply needs a JSON stream (application/json)",
                        m_url);
    }
    if (!m_printer) {
      m_printer.emplace(format(false), use_color(m_context.color), false);
    }
    const sse::EventView event{sse::k_default_type, bytes, next_offset, std::nullopt, {}};
    if (m_record) {
      m_record->event(event);
    }
    if (m_format == Format::raw || m_format == Format::data) {
      m_out.write(bytes);
    } else if (m_format == Format::json) {
      std::string& out = m_out.buffer();
      out += "{\"offset\":";
      out += quoted(next_offset);
      out += ",\"data\":";
      out += nlohmann::json(std::string(bytes)).dump(-1, ' ', false,
                                                      nlohmann::json::error_handler_t::replace);
      out += "}\n";
    } else {
      m_printer->print(m_out.buffer(), event);
    }
    m_out.flush_if_large();
    count();
  }

  void on_progress(const std::string& next_offset, bool up_to_date) override
  {
    (void)up_to_date;
    if (m_state) {
      m_state->flush();
    }
    m_out.flush();
    m_offset = next_offset;
    // After the output: a crash in between repeats messages on the next run, never skips one.
    if (m_cursor && std::chrono::steady_clock::now() - m_cursor_saved >= k_cursor_interval) {
      save_cursor();
    }
  }

  void on_retry(std::chrono::milliseconds wait, const std::string& why) override
  {
    if (m_record) {
      m_record->reconnect();
    }
    std::cerr << "sse: " << why << "; retrying in " << wait.count() << "ms (" << m_url << ")"
              << std::endl;
  }

  bool done() const override { return m_done || m_stdout_closed; }

  void save_cursor()
  {
    if (m_cursor && !m_offset.empty()) {
      m_cursor->save(m_offset);
      m_cursor_saved = std::chrono::steady_clock::now();
    }
  }

  void finish()
  {
    if (m_state) {
      m_state->finish();
    }
  }

  void stdout_closed() { m_stdout_closed = true; }

private:
  // The format for a JSON stream or a byte stream: -f, else json or pretty for JSON and the
  // bytes as they are for the rest.
  Format format(bool json)
  {
    m_format = !m_options.format.empty() || json ? choose_format(m_options.format) : Format::raw;
    return m_format;
  }

  // --until-data TEXT: the message's text, or the string it is.
  bool is_terminator(std::string_view json) const
  {
    if (json == *m_options.until_data) {
      return true;
    }
    if (!json.empty() && json.front() == '"') {
      const auto parsed = ::json::parse_or_discarded(json);
      return parsed.is_string() && parsed.get_ref<const std::string&>() == *m_options.until_data;
    }
    return false;
  }

  // NEXT_OFFSET as a JSON string, made once per response rather than once per message.
  const std::string& quoted(const std::string& next_offset)
  {
    if (next_offset != m_quoted_for) {
      m_quoted_for = next_offset;
      m_quoted = nlohmann::json(next_offset).dump();
    }
    return m_quoted;
  }

  void count()
  {
    if (m_options.until == sse::k_default_type) {
      m_done = true; // every message is of type message
    }
    if (m_options.max_events != 0 && ++m_printed >= m_options.max_events) {
      m_done = true;
    }
  }

  const TailOptions& m_options;
  const Context& m_context;
  Writer& m_out;
  std::string m_url;
  std::set<std::string, std::less<>> m_types;
  std::optional<EventPrinter> m_printer;
  Format m_format = Format::json;
  std::optional<nlohmann::json::json_pointer> m_pointer;
  std::optional<CursorFile> m_cursor;
  std::unique_ptr<RecordingFile> m_record;
  std::unique_ptr<StateSession> m_state;
  std::string m_offset;
  std::string m_quoted_for;
  std::string m_quoted;
  std::uint64_t m_printed = 0;
  bool m_done = false;
  std::atomic<bool> m_stdout_closed{false};
  static constexpr std::chrono::milliseconds k_cursor_interval{100};
  std::chrono::steady_clock::time_point m_cursor_saved{};
};

} // namespace

int run_durable_tail(const TailOptions& options, const Context& context)
{
  const std::string url = stream_url(options.url);
  durable::ReaderOptions reader;
  reader.request = durable_request(options.request, options.auth, url);
  reader.live = live_mode(options.live);
  reader.retry = !options.no_reconnect;
  reader.max_retries = options.max_retries;
  reader.max_backoff = *util::parse_duration(options.max_backoff);
  if (!options.timeout.empty()) {
    reader.timeout = util::parse_duration(options.timeout);
  }
  if (!options.idle_timeout.empty()) {
    reader.idle_timeout = util::parse_duration(options.idle_timeout);
  }
  reader.max_message_size = static_cast<std::size_t>(*util::parse_size(options.max_event_size));

  Writer out;
  DurableTailHandler handler(options, context, out, url);
  if (auto saved = handler.saved_cursor(); saved && !saved->empty()) {
    reader.offset = *saved;
  } else if (options.offset) {
    reader.offset = *options.offset;
  }
  http::HttplibTransport transport;
  durable::Reader stream(transport, std::move(reader), handler);
  StdoutWatch watch([&] {
    handler.stdout_closed();
    stream.interrupt();
  });
  try {
    stream.run();
  } catch (const util::Error&) {
    out.flush();
    handler.save_cursor();
    throw;
  }
  if (watch.closed()) {
    return k_exit_ok;
  }
  handler.finish();
  out.flush();
  handler.save_cursor();
  return k_exit_ok;
}

} // namespace cmd
