// sse tail URL: follow an event stream the way a browser's EventSource does (Last-Event-ID,
// retry:, reconnects with backoff), with curl's request options and output for pipes: one
// event per line, flushed after every chunk of the response, so `| jq` sees each event at once.
// Stop conditions end with 0, timeouts with 124, server errors with 3 or 4 (DESIGN.md §3).

#include "commands.hpp"
#include "durable_options.hpp"
#include "event_sink.hpp"
#include "output.hpp"
#include "request_options.hpp"
#include "setting_names.hpp"
#include "shared_options.hpp"
#include "tail_options.hpp"
#include "trace.hpp"
#include "typed_options.hpp"
#include "durable/protocol/headers.hpp"
#include "http/event_source.hpp"
#include "http/httplib_transport.hpp"
#include "http/request_check.hpp"

#include "json/value_type.hpp"

#include <iostream>
#include <memory>
#include <set>

namespace cmd {
namespace {

// An EventSource's events, handed to the sink; what is tail's own is the tracing and the
// reconnect messages.
class TailHandler : public http::EventSourceHandler {
public:
  TailHandler(const TailOptions& options, const Context& context, EventSink& sink)
    : m_options(options), m_context(context), m_sink(sink)
  {
  }

  void on_event(const sse::EventView& event) override
  {
    m_sink.reached(event.id);
    m_sink.event(event);
  }

  void on_comment(std::string_view text) override { m_sink.comment(text); }
  void on_raw(std::string_view bytes) override { m_sink.unclaimed(bytes); }
  void on_chunk_parsed() override { m_sink.flush(); }

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

  void on_reconnect(std::chrono::milliseconds wait, const std::string& why,
                    util::Setting setting) override
  {
    m_sink.reconnecting();
    if (why.empty() && m_context.verbosity == 0) {
      return; // a stream that ends and resumes is normal
    }
    const std::string reason = why.empty() ? "stream ended" : why + setting_note(setting);
    std::cerr << "sse: " << reason << "; reconnecting in "
              << wait.count() << "ms (" << m_options.target.url << ")" << std::endl;
  }

  bool done() const override { return m_sink.done(); }
  bool wants_reconnect() const override { return m_sink.wants_reconnect(); }

private:
  const TailOptions& m_options;
  const Context& m_context;
  EventSink& m_sink;
};

int run_tail(const TailOptions& options, const Context& context)
{
  if (options.durable) {
    return run_durable_tail(options, context);
  }
  http::EventSourceOptions source;
  const std::string& url = options.target.url;
  source.request = build_request(options.request, options.target.parsed);
  source.reconnect = !options.no_reconnect;
  source.retry_non_get = options.retry_post;
  set_retries_and_timeouts(source, options);
  source.parser.max_event_size = static_cast<std::size_t>(options.max_event_size);
  source.parser.keep_raw = options.sink.format == Format::raw;
  // A plain GET may turn out to be a Durable Streams catch-up read; the reader takes over.
  source.detect_durable = source.request.method == "GET" && !source.request.body;

  Writer out;
  EventSink sink(options.sink, context, out, {url, "sse tail " + url, !options.no_error_events});
  if (options.last_event_id) {
    source.last_event_id = *options.last_event_id;
  } else if (auto saved = sink.saved_cursor()) {
    // The file is input like any other: a line break in it would add headers to the request.
    if (const auto problem = http::value_problem(*saved); !problem.empty()) {
      throw util::Error(util::Errc::bad_input,
                        "the cursor file does not hold a last event ID that can be sent: it " + problem,
                        options.sink.cursor_file);
    }
    source.last_event_id = *saved;
  }
  // The run starts where it resumes from: a run that gets no event keeps that position.
  sink.reached(source.last_event_id);
  TailHandler handler(options, context, sink);
  http::HttplibTransport transport;
  http::EventSource event_source(transport, std::move(source), handler);
  if (sink.read(event_source) == http::EventSource::End::durable_stream) {
    if (context.verbosity > 0) {
      std::cerr << "sse: a Durable Streams stream (" << durable::header::k_next_offset
                << "): reading it as one" << std::endl;
    }
    return run_durable_tail(options, context);
  }
  return sink.ended();
}

} // namespace

void register_tail(CLI::App& app, Context& context)
{
  auto options = std::make_shared<TailOptions>();
  auto* sub = app.add_subcommand("tail");
  add_stream_target(*sub, options->target,
                    "The stream's http:// or https:// URL, or a Durable Streams name under $STREAM_URL");
  add_request_options(*sub, options->request);

  SinkOptions& sink = options->sink;
  const char* output = "Output";
  add_format_option(*sub, sink.format)->group(output);
  add_json_data_flag(*sub, sink.json_data)->group(output);
  sub->add_flag("--comments", sink.comments, "Include comment lines ({\"comment\": TEXT})")
    ->group(output);
  add_event_option(*sub, sink.events)->group(output);
  sub->add_option("--extract", sink.extract,
                  "Print the value at this JSON pointer in each event's data")
    ->option_text("POINTER")
    ->group(output);
  sub->add_option("--record", sink.record,
                  "Also write every event received, with its time, to FILE (for sse replay)")
    ->option_text("FILE")
    ->group(output);

  const char* stopping = "Stopping";
  add_max_events_option(*sub, sink.max_events)->group(stopping);
  sub->add_option("--until", sink.until, "Stop after an event of TYPE")
    ->option_text("TYPE")
    ->group(stopping);
  sub->add_option("--until-data", sink.until_data,
                  "Stop at an event whose data is TEXT (not printed), e.g. [DONE]")
    ->option_text("TEXT")
    ->group(stopping);
  add_duration_option(*sub, "--timeout", options->timeout, "Stop with exit 124 after DUR in all")
    ->group(stopping);
  add_duration_option(*sub, "--idle-timeout", options->idle_timeout,
                      "Reconnect (or exit 124 with --no-reconnect) after DUR without a byte")
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
  add_duration_option(*sub, "--max-backoff", options->max_backoff, "Longest wait between reconnects")
    ->group(reconnecting);
  add_header_value_option(*sub, "--last-event-id", options->last_event_id, "Start from this event id", "ID")
    ->group(reconnecting);
  sub->add_option("--cursor-file", sink.cursor_file,
                  "Resume from the id (durable: the offset) saved in FILE, and save it there")
    ->option_text("FILE")
    ->group(reconnecting);
  sub->add_flag("--no-error-events", options->no_error_events,
                "Treat error events and {\"error\": ...} data as ordinary events")
    ->group(reconnecting);
  add_max_event_size_option(*sub, options->max_event_size);

  const char* durable = "Durable Streams";
  sub->add_flag("--durable", options->durable,
                "Read a Durable Streams stream (implied by a Stream-Next-Offset reply, a stream "
                "name, --offset or --live)")
    ->group(durable);
  sub->add_option("--offset", options->offset,
                  "Start at OFFSET: -1 (the start, default), now (the tail) or an offset")
    ->option_text("OFFSET")
    ->group(durable);
  static constexpr Choice<durable::Live> live_modes[] = {
    {"sse", durable::Live::sse}, {"long-poll", durable::Live::long_poll}, {"none", durable::Live::none}};
  add_choice_option<durable::Live>(*sub, "--live", options->live, live_modes,
                                   "After the tail: sse (default), long-poll, or none (exit 0 there)")
    ->option_text("MODE")
    ->group(durable);
  add_auth_option(*sub, options->auth);

  auto* apply = add_state_options(*sub, sink.state);
  for (auto* option : sub->get_options()) {
    static const std::set<std::string> state_names = {"--apply", "--key", "--initial", "--pointer",
                                                      "--final", "--changes", "--keep-going", "--view",
                                                      "--max-state"};
    if (option->nonpositional() && state_names.count("--" + option->get_single_name()) != 0) {
      option->group("State (with --apply)");
    }
  }

  sub->callback([options, apply, sub, &context] {
    options->sink.apply = apply->count() > 0;
    if (!options->sink.apply) {
      for (const char* name : {"--key", "--initial", "--pointer", "--final", "--changes",
                               "--keep-going", "--view", "--max-state"}) {
        if (sub->count(name) > 0) {
          throw CLI::ValidationError(name, "needs --apply");
        }
      }
    } else {
      check_state_options(options->sink.state);
      if (!options->sink.extract.empty()) {
        throw CLI::ValidationError("--extract", "cannot be combined with --apply (use --pointer)");
      }
    }
    if (!options->sink.extract.empty()) {
      if (options->sink.format == Format::raw) {
        throw CLI::ValidationError("--extract", "cannot be combined with -f raw");
      }
      try {
        ::json::Value::json_pointer pointer(options->sink.extract);
      } catch (const ::json::Value::exception&) {
        throw CLI::ValidationError("--extract", "'" + options->sink.extract
                                                  + "' is not a JSON pointer (RFC 6901), e.g. /a/0/b");
      }
    }
    if (options->offset || options->live || options->target.named) {
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
