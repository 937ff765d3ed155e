// sse tail URL: follow an event stream the way a browser's EventSource does (Last-Event-ID,
// retry:, reconnects with backoff), with curl's request options and output for pipes: one
// event per line, flushed after every chunk of the response, so `| jq` sees each event at once.
// Stop conditions end with 0, timeouts with 124, server errors with 3 or 4 (DESIGN.md §3).

#include "commands.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "output.hpp"
#include "cursor_file.hpp"
#include "recording_file.hpp"
#include "request_options.hpp"
#include "durable_options.hpp"
#include "tail_options.hpp"
#include "trace.hpp"
#include "state_view.hpp"
#include "stdout_watch.hpp"
#include "durable/protocol/headers.hpp"
#include "http/event_source.hpp"
#include "http/httplib_transport.hpp"
#include "http/request_check.hpp"
#include "json/value.hpp"
#include "record/recording.hpp"
#include "util/units.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <fcntl.h>
#include <unistd.h>

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
  nlohmann::json parsed;
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

class TailHandler : public http::EventSourceHandler {
public:
  TailHandler(const TailOptions& options, const Context& context, Writer& out)
    : m_options(options), m_context(context), m_out(out),
      m_printer(choose_format(options.format), use_color(context.color), options.json_data),
      m_types(options.events.begin(), options.events.end())
  {
    if (!options.extract.empty()) {
      m_pointer = nlohmann::json::json_pointer(options.extract);
    }
    if (!options.cursor_file.empty()) {
      m_cursor.emplace(options.cursor_file);
    }
    if (options.apply) {
      m_state = std::make_unique<StateSession>(options.state, context, out, "sse tail " + options.url);
    }
    if (!options.record.empty()) {
      m_record = std::make_unique<RecordingFile>(options.record);
    }
  }

  TailHandler(const TailHandler&) = delete;
  TailHandler& operator=(const TailHandler&) = delete;

  std::optional<std::string> saved_cursor() const
  {
    return m_cursor ? m_cursor->load() : std::nullopt;
  }

  void on_event(const sse::EventView& event) override
  {
    ++m_event_number;
    m_last_id.assign(event.id);
    if (m_record) {
      // Every event as received, before any filter, and on disk before it is printed.
      m_record->event(event);
    }
    if (!m_options.no_error_events) {
      if (auto message = server_error(event, m_event_number, m_options.url)) {
        on_chunk_parsed(); // what came before the error is delivered
        throw util::Error(util::Errc::bad_input,
                          "the server reported an error in event " + std::to_string(m_event_number)
                            + ": " + *message,
                          m_options.url);
      }
    }
    if (m_options.until_data && event.data == *m_options.until_data) {
      m_done = true; // a terminator, not data: not printed
      return;
    }
    if (m_types.empty() || m_types.count(std::string(event.type)) != 0) {
      if (m_state) {
        apply(event);
      } else {
        print(event);
      }
    }
    if (!m_options.until.empty() && event.type == m_options.until) {
      m_done = true;
    }
  }

  void on_comment(std::string_view text) override
  {
    if (m_options.comments) {
      m_printer.print_comment(m_out.buffer(), text);
    }
  }

  void on_raw(std::string_view bytes) override { m_printer.print_unclaimed(m_out.buffer(), bytes); }

  void on_chunk_parsed() override
  {
    if (m_state) {
      m_state->flush();
    }
    m_out.flush();
    // Only after the events are out: a crash in between shows an event twice, never loses one.
    // A rename per chunk would cost more than the parsing, so at most every 100 ms, and once
    // more when the run ends (save_cursor).
    if (m_cursor && std::chrono::steady_clock::now() - m_cursor_saved >= k_cursor_interval) {
      save_cursor();
    }
  }

  /// Saves the last event ID of the events written so far.
  void save_cursor()
  {
    if (m_cursor) {
      m_cursor->save(m_last_id);
      m_cursor_saved = std::chrono::steady_clock::now();
    }
  }

  void on_request(const http::Request& request, std::uint32_t attempt) override
  {
    if (m_context.verbosity > 0) {
      trace_request(request, attempt > 0 ? "(reconnect " + std::to_string(attempt) + ")" : "");
    }
  }

  void on_open(const http::ResponseHead& head) override
  {
    if (m_context.verbosity > 0) {
      trace_response(head.status, head.reason, head.headers);
    }
  }

  void on_reconnect(std::chrono::milliseconds wait, const std::string& why) override
  {
    m_reconnect_requested = false;
    if (m_record) {
      m_record->reconnect();
    }
    if (why.empty() && m_context.verbosity == 0) {
      return; // a stream that ends and resumes is normal
    }
    std::cerr << "sse: " << (why.empty() ? "stream ended" : why) << "; reconnecting in "
              << wait.count() << "ms (" << m_options.url << ")" << std::endl;
  }

  bool done() const override { return m_done || m_stdout_closed; }
  bool wants_reconnect() const override { return m_reconnect_requested; }

  /// The stream ended cleanly: --final prints the state now, the view stays on screen.
  void finish()
  {
    if (m_state) {
      m_state->finish();
    }
  }

  /// Stdout's reader is gone: stop as a closed pipe stops us anyway, quietly.
  void stdout_closed() { m_stdout_closed = true; }

private:
  void apply(const sse::EventView& event)
  {
    const auto kind = m_state->on_event(event.type, {event.data, nullptr}, m_options.url);
    if (kind == state::Outcome::Kind::reconnect) {
      m_reconnect_requested = true;
    }
    if (m_options.max_events != 0 && ++m_printed >= m_options.max_events) {
      m_done = true;
    }
  }

  void print(const sse::EventView& event)
  {
    if (m_pointer) {
      // Only events whose data is JSON with something at the pointer have a value to print.
      const auto parsed = ::json::parse_or_discarded(event.data);
      if (parsed.is_discarded() || !parsed.contains(*m_pointer)) {
        return;
      }
      m_printer.print_value(m_out.buffer(), event, parsed.at(*m_pointer));
    } else {
      m_printer.print(m_out.buffer(), event);
    }
    m_out.flush_if_large();
    if (m_options.max_events != 0 && ++m_printed >= m_options.max_events) {
      m_done = true;
    }
  }

  const TailOptions& m_options;
  const Context& m_context;
  Writer& m_out;
  EventPrinter m_printer;
  std::set<std::string, std::less<>> m_types;
  std::optional<nlohmann::json::json_pointer> m_pointer;
  std::optional<CursorFile> m_cursor;
  std::unique_ptr<RecordingFile> m_record;
  std::string m_last_id;
  std::uint64_t m_event_number = 0;
  std::uint64_t m_printed = 0;
  bool m_done = false;
  bool m_reconnect_requested = false;
  std::unique_ptr<StateSession> m_state;
  std::atomic<bool> m_stdout_closed{false};
  static constexpr std::chrono::milliseconds k_cursor_interval{100};
  std::chrono::steady_clock::time_point m_cursor_saved{};
};

int run_tail(const TailOptions& options, const Context& context)
{
  if (options.durable) {
    return run_durable_tail(options, context);
  }
  http::EventSourceOptions source;
  source.request = build_request(options.request, options.url);
  source.reconnect = !options.no_reconnect;
  source.retry_non_get = options.retry_post;
  source.max_retries = options.max_retries;
  source.max_backoff = *util::parse_duration(options.max_backoff);
  if (!options.timeout.empty()) {
    source.timeout = util::parse_duration(options.timeout);
  }
  if (!options.idle_timeout.empty()) {
    source.idle_timeout = util::parse_duration(options.idle_timeout);
  }
  source.parser.max_event_size = static_cast<std::size_t>(*util::parse_size(options.max_event_size));
  source.parser.keep_raw = choose_format(options.format) == Format::raw;
  // A plain GET may turn out to be a Durable Streams catch-up read; the reader takes over.
  source.detect_durable = source.request.method == "GET" && !source.request.body;

  Writer out;
  TailHandler handler(options, context, out);
  if (options.last_event_id) {
    source.last_event_id = *options.last_event_id;
  } else if (auto saved = handler.saved_cursor()) {
    // The file is input like any other: a line break in it would add headers to the request.
    if (const auto problem = http::value_problem(*saved); !problem.empty()) {
      throw util::Error(util::Errc::bad_input,
                        "the cursor file does not hold a last event ID that can be sent: it " + problem,
                        options.cursor_file);
    }
    source.last_event_id = *saved;
  }
  http::HttplibTransport transport;
  http::EventSource event_source(transport, std::move(source), handler);
  StdoutWatch watch([&] {
    handler.stdout_closed();
    event_source.interrupt();
  });
  try {
    if (event_source.run() == http::EventSource::End::durable_stream) {
      if (context.verbosity > 0) {
        std::cerr << "sse: a Durable Streams stream (" << durable::header::k_next_offset
                  << "): reading it as one" << std::endl;
      }
      return run_durable_tail(options, context);
    }
  } catch (const util::Error&) {
    // What was written before an error was delivered: resume after it next time.
    out.flush();
    handler.save_cursor();
    throw;
  }
  if (watch.closed()) {
    return k_exit_ok; // what the reader did not take may be lost: keep the older cursor
  }
  handler.finish();
  out.flush();
  handler.save_cursor();
  return k_exit_ok;
}

} // namespace

void register_tail(CLI::App& app, Context& context)
{
  auto options = std::make_shared<TailOptions>();
  auto* sub = app.add_subcommand("tail", "Follow an event stream, reconnecting like a browser");
  sub->add_option("URL", options->url,
                  "The stream's http:// or https:// URL, or a Durable Streams name under $STREAM_URL")
    ->required();
  add_request_options(*sub, options->request);

  const char* output = "Output";
  sub->add_option("-f,--format", options->format,
                  "Output: json, pretty, data, sse or raw (default: pretty on a terminal, json "
                  "otherwise)")
    ->check(CLI::IsMember(std::vector<std::string>(std::begin(k_format_names), std::end(k_format_names))))
    ->option_text("FORMAT")
    ->group(output);
  sub->add_flag("--json-data", options->json_data, "Embed data that is valid JSON as JSON")->group(output);
  sub->add_flag("--comments", options->comments, "Include comment lines ({\"comment\": TEXT})")
    ->group(output);
  sub->add_option("--event", options->events, "Print only events of TYPE (repeatable)")
    ->allow_extra_args(false) // one TYPE per --event: the next word is the URL or a FILE
    ->option_text("TYPE")
    ->group(output);
  sub->add_option("--extract", options->extract,
                  "Print the value at this JSON pointer in each event's data")
    ->option_text("POINTER")
    ->group(output);

  const char* stopping = "Stopping";
  sub->add_option("-n,--max-events", options->max_events, "Stop after printing N events")
    ->option_text("N")
    ->check(CLI::PositiveNumber)
    ->group(stopping);
  sub->add_option("--until", options->until, "Stop after an event of TYPE")
    ->option_text("TYPE")
    ->group(stopping);
  sub->add_option("--until-data", options->until_data,
                  "Stop at an event whose data is TEXT (not printed), e.g. [DONE]")
    ->option_text("TEXT")
    ->group(stopping);
  sub->add_option("--timeout", options->timeout, "Stop with exit 124 after DUR in all")
    ->option_text("DUR")
    ->check(check_duration, "DUR")
    ->group(stopping);
  sub->add_option("--idle-timeout", options->idle_timeout,
                  "Reconnect (or exit 124 with --no-reconnect) after DUR without a byte")
    ->option_text("DUR")
    ->check(check_duration, "DUR")
    ->group(stopping);

  const char* reconnecting = "Reconnecting";
  sub->add_flag("--no-reconnect", options->no_reconnect, "Exit when the stream ends or fails")
    ->group(reconnecting);
  sub->add_flag("--retry-post", options->retry_post,
                "Also re-send non-GET requests when their stream ends or fails")
    ->group(reconnecting);
  sub->add_option("--max-retries", options->max_retries,
                  "Give up after N reconnects in a row without an event (durable: failures without progress)")
    ->option_text("N")
    ->group(reconnecting);
  sub->add_option("--max-backoff", options->max_backoff, "Longest wait between reconnects (default 30s)")
    ->option_text("DUR")
    ->check(check_duration, "DUR")
    ->group(reconnecting);
  sub->add_option("--last-event-id", options->last_event_id, "Start from this event id")
    ->check(check_header_value, "ID")
    ->option_text("ID")
    ->group(reconnecting);
  sub->add_option("--cursor-file", options->cursor_file,
                  "Resume from the id (durable: the offset) saved in FILE, and save it there")
    ->option_text("FILE")
    ->group(reconnecting);
  sub->add_option("--record", options->record,
                  "Also write every event received, with its time, to FILE (for sse replay)")
    ->option_text("FILE")
    ->group(output);
  sub->add_flag("--no-error-events", options->no_error_events,
                "Treat error events and {\"error\": ...} data as ordinary events")
    ->group(reconnecting);
  sub->add_option("--max-event-size", options->max_event_size,
                  "Largest event or line accepted (default 16MiB)")
    ->check(check_size, "SIZE")
    ->option_text("SIZE");

  const char* durable = "Durable Streams";
  sub->add_flag("--durable", options->durable,
                "Read a Durable Streams stream (implied by a Stream-Next-Offset reply, a stream "
                "name, --offset or --live)")
    ->group(durable);
  sub->add_option("--offset", options->offset,
                  "Start at OFFSET: -1 (the start, default), now (the tail) or an offset")
    ->option_text("OFFSET")
    ->group(durable);
  sub->add_option("--live", options->live,
                  "After the tail: sse (default), long-poll, or none (exit 0 there)")
    ->check(CLI::IsMember({"sse", "long-poll", "none"}))
    ->option_text("MODE")
    ->group(durable);
  add_auth_option(*sub, options->auth);

  auto* apply = add_state_options(*sub, options->state);
  for (auto* option : sub->get_options()) {
    static const std::set<std::string> state_names = {"--apply", "--key", "--initial", "--pointer",
                                                      "--final", "--changes", "--keep-going", "--view",
                                                      "--max-state"};
    if (option->nonpositional() && state_names.count("--" + option->get_single_name()) != 0) {
      option->group("State (with --apply)");
    }
  }

  sub->callback([options, apply, sub, &context] {
    options->apply = apply->count() > 0;
    if (!options->apply) {
      for (const char* name : {"--key", "--initial", "--pointer", "--final", "--changes",
                               "--keep-going", "--view", "--max-state"}) {
        if (sub->count(name) > 0) {
          throw CLI::ValidationError(name, "needs --apply");
        }
      }
    } else {
      check_state_options(options->state);
      if (!options->extract.empty()) {
        throw CLI::ValidationError("--extract", "cannot be combined with --apply (use --pointer)");
      }
    }
    if (!options->extract.empty()) {
      if (options->format == "raw") {
        throw CLI::ValidationError("--extract", "cannot be combined with -f raw");
      }
      try {
        nlohmann::json::json_pointer pointer(options->extract);
      } catch (const nlohmann::json::exception&) {
        throw CLI::ValidationError("--extract", "'" + options->extract
                                                  + "' is not a JSON pointer (RFC 6901), e.g. /a/0/b");
      }
    }
    if (options->offset || options->live || durable::is_stream_name(options->url)) {
      options->durable = true;
    }
    if (options->durable) {
      for (const char* name : {"--last-event-id", "--retry-post", "-X", "-d", "--json", "--comments",
                               "--no-error-events"}) {
        if (sub->count(name) > 0) {
          throw CLI::ValidationError(name, "does not apply to a Durable Streams read");
        }
      }
      if (options->offset && options->offset->empty()) {
        throw CLI::ValidationError("--offset", "is empty");
      }
    }
    context.run = [options, &context] { return run_tail(*options, context); };
  });
}

} // namespace cmd
