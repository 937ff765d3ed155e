// sse patch: folds stream-state events (snapshots and JSON patches, keyed collections, Durable
// State messages; DESIGN.md §6) into one JSON state and prints the state after each event.
// Input is NDJSON event objects, as `sse parse` writes them, or event-stream text with --sse;
// all FILEs are one stream, in order. Input is handled as it arrives and output is flushed
// before each blocking read, so `sse patch` works on a live pipe. The folding and printing are
// cmd/state_view's StateSession, which `sse tail --apply` shares.

#include "commands.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "shared_options.hpp"
#include "json/value.hpp"
#include "sse/parser.hpp"
#include "state_view.hpp"
#include "util/units.hpp"

#include <cstring>
#include <iostream>
#include <memory>

namespace cmd {
namespace {

struct PatchOptions {
  std::vector<std::string> files;
  bool sse = false;
  std::uint64_t max_event_size = k_default_max_event_size;
  StateOptions state;
};

// Reads one NDJSON line, an event object of `sse parse` (DESIGN.md §3), and hands it on. LINE
// is reused from line to line, so reading allocates nothing once its buffers have grown.
void patch_line(StateSession& session, std::string_view text, json::EventLine& line,
                const std::string& source, std::uint64_t number)
{
  auto where = [&] { return source + ":" + std::to_string(number); };
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) {
    return; // blank lines between objects are allowed, as in sse format
  }
  try {
    json::read_event_line(text, line);
  } catch (const util::Error& e) {
    throw util::Error(util::Errc::bad_input, e.what(), where());
  }
  if (line.data == json::EventLine::Kind::missing && line.comment) {
    return; // a comment carries no event
  }
  std::string_view type = sse::k_default_type;
  if (line.event == json::EventLine::Kind::other) {
    throw util::Error(util::Errc::bad_input, "\"event\" is not a string", where());
  }
  if (line.event == json::EventLine::Kind::string && !line.event_text.empty()) {
    type = line.event_text;
  }
  state::Payload payload;
  if (line.data == json::EventLine::Kind::string) {
    payload.text = line.data_text;
  } else if (line.data == json::EventLine::Kind::other) {
    payload.value = &line.data_value; // data embedded as JSON (sse parse --json-data)
  }
  session.on_event(type, payload, source, number);
}

class SessionHandler : public sse::ParserHandler {
public:
  SessionHandler(StateSession& session, const std::string& where)
    : m_session(session), m_where(where)
  {
  }
  void on_event(const sse::EventView& event) override
  {
    m_session.on_event(event.type, {event.data, nullptr}, m_where);
  }

private:
  StateSession& m_session;
  const std::string& m_where;
};

void read_ndjson(StateSession& session, Input& input, std::uint64_t limit)
{
  json::EventLine line;
  read_lines(
    input, limit, "event size ", "--max-event-size",
    [&](std::string_view text, std::uint64_t number) {
      patch_line(session, text, line, input.name(), number);
    },
    [&] { session.flush(); });
}

void read_event_stream(StateSession& session, Input& input, std::uint64_t limit)
{
  SessionHandler handler(session, input.name());
  sse::ParserOptions parser_options;
  parser_options.max_event_size = static_cast<std::size_t>(limit);
  sse::Parser parser(handler, parser_options);
  for (auto chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    const bool ok = parser.feed(chunk);
    session.flush();
    if (!ok) {
      const auto& failure = parser.failure();
      throw util::Error(util::Errc::bad_input,
                        std::string(failure.in_line ? "a line of event " : "event ")
                          + std::to_string(failure.event_number)
                          + " exceeds the maximum event size of " + util::format_size(limit)
                          + " (--max-event-size)",
                        input.name() + ", line at byte " + std::to_string(failure.byte_offset));
    }
  }
  parser.finish();
}

int run_patch(const PatchOptions& options, const Context& context)
{
  const std::uint64_t limit = options.max_event_size;
  Writer out;
  StateSession session(options.state, context, out, "sse patch");
  for (const auto& path : inputs_or_stdin(options.files)) {
    Input input(path);
    if (options.sse) {
      read_event_stream(session, input, limit);
    } else {
      read_ndjson(session, input, limit);
    }
    session.flush();
  }
  session.finish();
  return k_exit_ok;
}

} // namespace

void register_patch(CLI::App& app, Context& context)
{
  auto options = std::make_shared<PatchOptions>();
  auto* sub = app.add_subcommand("patch");
  add_input_files(*sub, options->files, "Files to read, in order; '-' or none reads stdin");
  sub->add_flag("--sse", options->sse, "Read event-stream text instead of NDJSON events");
  add_max_event_size_option(*sub, options->max_event_size);
  add_state_options(*sub, options->state);
  sub->callback([options, &context] {
    check_state_options(options->state);
    context.run = [options, &context] { return run_patch(*options, context); };
  });
}

} // namespace cmd
