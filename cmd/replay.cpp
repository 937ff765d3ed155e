// sse replay: plays recordings (sse tail --record), NDJSON events or event-stream text back to
// stdout with their original timing, in every output format, or folded into states.

#include "commands.hpp"
#include "event_sink.hpp"
#include "exit_codes.hpp"
#include "io.hpp"
#include "output.hpp"
#include "shared_options.hpp"
#include "stdout_watch.hpp"
#include "typed_options.hpp"

#include "record/timeline.hpp"
#include "util/error.hpp"

#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>

namespace cmd {
namespace {

struct ReplayOptions {
  std::vector<std::string> files;
  SinkOptions sink; ///< replay binds -f, --json-data, --event, -n and the state options
  double speed = 1.0;
  bool no_wait = false;
  std::chrono::milliseconds interval{0};
  std::optional<std::string> from;
  std::optional<std::string> to;
  bool loop = false;
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
  std::vector<std::vector<record::Entry>> recordings;
  for (const auto& file : inputs_or_stdin(options.files)) {
    Input input(file);
    record::SkipHandler skip;
    // --keep-going (a state option) also skips the bad lines of a recording.
    if (options.sink.state.keep_going) {
      skip = [](const std::string& what, const std::string& where) {
        std::cerr << "sse: warning: skipped: " << what << " (" << where << ")" << std::endl;
      };
    }
    recordings.push_back(record::read_recording(read_all(input), input.name(), skip));
  }
  record::TimelineOptions timeline_options;
  timeline_options.interval = options.interval;
  timeline_options.from = options.from;
  timeline_options.to = options.to;
  const auto timeline = record::build_timeline(std::move(recordings), timeline_options);

  Writer out;
  EventSink sink(options.sink, context, out, {"sse replay", "sse replay"});
  Pacer pacer;
  StdoutWatch watch([&pacer] { pacer.interrupt(); });

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
      sink.event(entry.event.view());
      sink.flush(); // each event at its time
      if (sink.done()) {
        return sink.ended();
      }
    }
  } while (options.loop && !timeline.empty());
  return sink.ended();
}

} // namespace

void register_replay(CLI::App& app, Context& context)
{
  auto options = std::make_shared<ReplayOptions>();
  auto* sub = app.add_subcommand("replay");
  add_input_files(*sub, options->files,
                  "Recordings, NDJSON events or event-stream text, in order; '-' or none reads stdin");

  SinkOptions& sink = options->sink;
  const char* output = "Output";
  add_format_option(*sub, sink.format, false)->group(output); // a recording has no raw bytes
  add_json_data_flag(*sub, sink.json_data)->group(output);
  add_event_option(*sub, sink.events)->group(output);
  add_max_events_option(*sub, sink.max_events)->group(output);

  const char* timing = "Timing";
  sub->add_option("--speed", options->speed, "Play X times as fast (0.5: half speed; default 1)")
    ->option_text("X")
    ->check(CLI::PositiveNumber)
    ->group(timing);
  sub->add_flag("--no-wait", options->no_wait, "Print everything at once")->group(timing);
  add_duration_option(*sub, "--interval", options->interval,
                      "Wait DUR between events of input without timing")
    ->group(timing);
  sub->add_option("--from", options->from, "Start at the event with this id, or the Nth event")
    ->option_text("ID|N")
    ->group(timing);
  sub->add_option("--to", options->to, "Stop after the event with this id, or the Nth event")
    ->option_text("ID|N")
    ->group(timing);
  sub->add_flag("--loop", options->loop, "Start again at the end, until interrupted")->group(timing);

  auto* apply = add_state_options(*sub, sink.state);
  sub->callback([options, apply, &context] {
    if (options->sink.format == Format::raw) {
      throw CLI::ValidationError("-f", "sse replay cannot write raw bytes: a recording keeps "
                                       "events, not the bytes they came in (use -f sse)");
    }
    check_state_options(options->sink.state);
    options->sink.apply = apply->count() > 0;
    context.run = [options, &context] { return run_replay(*options, context); };
  });
}

} // namespace cmd
