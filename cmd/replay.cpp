// sse replay: plays recordings (sse tail --record), NDJSON events or event-stream text back to
// stdout with their original timing, in every output format, or folded into states.

#include "commands.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "output.hpp"
#include "request_options.hpp"
#include "state_view.hpp"
#include "stdout_watch.hpp"

#include "record/timeline.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>

namespace cmd {
namespace {

struct ReplayOptions {
  std::vector<std::string> files;
  std::string format;
  bool json_data = false;
  std::vector<std::string> events;
  std::uint64_t max_events = 0;
  double speed = 1.0;
  bool no_wait = false;
  std::string interval = "0ms";
  std::optional<std::string> from;
  std::optional<std::string> to;
  bool loop = false;
  StateOptions state;
  bool apply = false;
};

/// Reads every input whole: --from and --to may name an event anywhere in them.
std::string read_all(Input& input)
{
  std::string text;
  for (auto chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    text.append(chunk);
  }
  return text;
}

/// Waits until a deadline, or until stdout's reader has gone.
class Pacer {
public:
  using Clock = std::chrono::steady_clock;
  /// False when interrupted.
  bool wait_until(Clock::time_point deadline)
  {
    std::unique_lock lock(m_mutex);
    return !m_wake.wait_until(lock, deadline, [this] { return m_interrupted; });
  }
  void interrupt()
  {
    {
      const std::lock_guard lock(m_mutex);
      m_interrupted = true;
    }
    m_wake.notify_all();
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_interrupted = false;
};

int run_replay(const ReplayOptions& options, const Context& context)
{
  const Format format = choose_format(options.format);
  if (format == Format::raw) {
    throw util::Error(util::Errc::usage,
                      "sse replay cannot write raw bytes: a recording keeps events, not the bytes "
                      "they came in (use -f sse)");
  }
  std::vector<std::vector<record::Entry>> recordings;
  for (const auto& file : inputs_or_stdin(options.files)) {
    Input input(file);
    record::SkipHandler skip;
    // --keep-going (a state option) also skips the bad lines of a recording.
    if (options.state.keep_going) {
      skip = [](const std::string& what, const std::string& where) {
        std::cerr << "sse: warning: skipped: " << what << " (" << where << ")" << std::endl;
      };
    }
    recordings.push_back(record::read_recording(read_all(input), input.name(), skip));
  }
  record::TimelineOptions timeline_options;
  timeline_options.interval = *util::parse_duration(options.interval);
  timeline_options.from = options.from;
  timeline_options.to = options.to;
  const auto timeline = record::build_timeline(std::move(recordings), timeline_options);

  Writer out;
  EventPrinter printer(format, use_color(context.color), options.json_data);
  std::unique_ptr<StateSession> state;
  if (options.apply) {
    state = std::make_unique<StateSession>(options.state, context, out, "sse replay");
  }
  const std::set<std::string, std::less<>> types(options.events.begin(), options.events.end());
  Pacer pacer;
  StdoutWatch watch([&pacer] { pacer.interrupt(); });

  std::uint64_t shown = 0;
  do {
    const auto start = Pacer::Clock::now();
    for (const auto& item : timeline) {
      if (!options.no_wait) {
        const auto due = start + std::chrono::duration_cast<Pacer::Clock::duration>(
                                   std::chrono::duration<double, std::milli>(
                                     static_cast<double>(item.at.count()) / options.speed));
        if (!pacer.wait_until(due)) {
          return k_exit_ok; // stdout's reader is gone
        }
      }
      const auto& entry = item.entry;
      if (entry.kind == record::Entry::Kind::reconnect) {
        if (context.verbosity > 0) {
          std::cerr << "sse: the recorder reconnected here (" << item.at.count() << "ms)"
                    << std::endl;
        }
        continue;
      }
      if (entry.kind == record::Entry::Kind::comment) {
        continue;
      }
      if (!types.empty() && types.count(entry.event.type) == 0) {
        continue;
      }
      if (state) {
        state->on_event(entry.event.type, {entry.event.data, nullptr}, "sse replay");
        state->flush();
      } else {
        printer.print(out.buffer(), entry.event.view());
      }
      out.flush();
      if (options.max_events != 0 && ++shown >= options.max_events) {
        if (state) {
          state->finish();
        }
        out.flush();
        return k_exit_ok;
      }
    }
  } while (options.loop && !timeline.empty());
  if (state) {
    state->finish();
  }
  out.flush();
  return k_exit_ok;
}

} // namespace

void register_replay(CLI::App& app, Context& context)
{
  auto options = std::make_shared<ReplayOptions>();
  auto* sub = app.add_subcommand("replay", "Play recorded events back with their timing");
  sub->add_option("FILE", options->files,
                  "Recordings, NDJSON events or event-stream text, in order; '-' or none reads stdin")
    ->option_text("...");

  const char* output = "Output";
  sub->add_option("-f,--format", options->format,
                  "Output: json, pretty, data or sse (default: pretty on a terminal, json "
                  "otherwise)")
    ->check(CLI::IsMember({"json", "pretty", "data", "sse", "raw"}))
    ->option_text("FORMAT")
    ->group(output);
  sub->add_flag("--json-data", options->json_data, "Embed data that is valid JSON as JSON")->group(output);
  sub->add_option("--event", options->events, "Print only events of TYPE (repeatable)")
    ->allow_extra_args(false) // one TYPE per --event: the next word is the URL or a FILE
    ->option_text("TYPE")
    ->group(output);
  sub->add_option("-n,--max-events", options->max_events, "Stop after printing N events")
    ->option_text("N")
    ->check(CLI::PositiveNumber)
    ->group(output);

  const char* timing = "Timing";
  sub->add_option("--speed", options->speed, "Play X times as fast (0.5: half speed; default 1)")
    ->option_text("X")
    ->check(CLI::PositiveNumber)
    ->group(timing);
  sub->add_flag("--no-wait", options->no_wait, "Print everything at once")->group(timing);
  sub->add_option("--interval", options->interval,
                  "Wait DUR between events of input without timing (default 0ms)")
    ->option_text("DUR")
    ->check(check_duration, "DUR")
    ->group(timing);
  sub->add_option("--from", options->from, "Start at the event with this id, or the Nth event")
    ->option_text("ID|N")
    ->group(timing);
  sub->add_option("--to", options->to, "Stop after the event with this id, or the Nth event")
    ->option_text("ID|N")
    ->group(timing);
  sub->add_flag("--loop", options->loop, "Start again at the end, until interrupted")->group(timing);

  auto* apply = add_state_options(*sub, options->state);
  sub->callback([options, apply, &context] {
    check_state_options(options->state);
    options->apply = apply->count() > 0;
    context.run = [options, &context] { return run_replay(*options, context); };
  });
}

} // namespace cmd
