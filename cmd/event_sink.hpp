#pragma once
// Where the events of `sse tail`, durable `sse tail` and `sse replay` go: one pipeline for the
// options they share. Each event is recorded (--record), checked for a server's error report,
// for a terminator (--until-data), filtered (--event), folded into state (--apply) or printed
// (-f, --extract), and counted against the stop conditions (-n, --until); the position the
// reader reached is saved (--cursor-file) once what came before it is on stdout. The readers
// keep only how events arrive: an EventSource, a Durable Streams reader, a recording.

#include "context.hpp"
#include "cursor_file.hpp"
#include "io.hpp"
#include "output.hpp"
#include "recording_file.hpp"
#include "state_view.hpp"
#include "stdout_watch.hpp"
#include "util/error.hpp"

#include "json/value_type.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cmd {

/// What the user asked the sink to do; a command binds only the options it offers.
struct SinkOptions {
  std::optional<Format> format; ///< empty: choose_format's default
  bool json_data = false;
  bool comments = false;
  std::vector<std::string> events;
  std::string extract;
  std::uint64_t max_events = 0;
  std::string until;
  std::optional<std::string> until_data;
  std::string cursor_file;
  std::string record;
  StateOptions state;
  bool apply = false; ///< --apply was given: print states instead of events
};

/// Who feeds the sink.
struct SinkSource {
  std::string name;           ///< names the input in messages: a URL, "sse replay"
  std::string title;          ///< names the command in the state view's header
  bool server_errors = false; ///< an `error` event or {"error": ...} data ends the run (exit 3)
};

class EventSink {
public:
  /// Throws util::Error when the recording cannot be created or --initial cannot be read.
  EventSink(const SinkOptions& options, const Context& context, Writer& out, SinkSource source);
  EventSink(const EventSink&) = delete;
  EventSink& operator=(const EventSink&) = delete;

  /// The position --cursor-file saved on an earlier run, if there is one.
  std::optional<std::string> saved_cursor() const;

  /// An event of an event stream or a recording.
  void event(const sse::EventView& event);
  /// A message of a Durable Streams JSON stream: its JSON text, and the offset after it.
  void message(std::string_view json, const std::string& next_offset);
  /// A chunk of a Durable Streams byte stream, and the offset after it.
  void chunk(std::string_view bytes, const std::string& next_offset);
  void comment(std::string_view text);
  /// Bytes of the input that belong to no event (only -f raw shows them).
  void unclaimed(std::string_view bytes);
  /// The reader lost its input and resumes it.
  void reconnecting();

  /// Everything up to POSITION (an event ID, an offset) has been handed to the sink.
  void reached(std::string_view position);
  /// Writes what is pending, then saves the cursor at most every 100 ms; call it before every
  /// blocking read.
  void flush();

  /// Runs READER (its run(), and interrupt() from another thread) while stdout has a reader:
  /// one that goes away interrupts it, and the run ends quietly. After an error what was
  /// written is delivered and the cursor saved, so the next run resumes after it; then the
  /// error goes on. Returns what READER's run() returns.
  template <typename Reader>
  auto read(Reader& reader)
  {
    StdoutWatch watch([&] {
      stdout_closed();
      reader.interrupt();
    });
    try {
      return reader.run();
    } catch (const util::Error&) {
      m_out.flush();
      save_cursor();
      throw;
    }
  }
  /// The input ended, or stdout's reader went away, which keeps the older cursor (the reader
  /// may not have taken everything). Returns the exit code.
  int ended();

  bool done() const { return m_done || m_stdout_closed; }
  /// A state `reconnect` event asked the reader to drop its connection and resume.
  bool wants_reconnect() const { return m_reconnect_requested; }
  /// Stdout's reader is gone: stop as a closed pipe stops us anyway, quietly. Thread-safe.
  void stdout_closed() { m_stdout_closed = true; }

private:
  enum class Kind { event, json_message, byte_chunk };

  void take(const sse::EventView& event, Kind kind);
  bool is_terminator(const sse::EventView& event, Kind kind) const;
  void deliver(const sse::EventView& event, Kind kind);
  void count();
  EventPrinter& printer(Kind kind);
  void save_cursor();

  const SinkOptions& m_options;
  const Context& m_context;
  Writer& m_out;
  SinkSource m_source;
  std::set<std::string, std::less<>> m_types;
  std::optional<::json::Value::json_pointer> m_pointer;
  std::optional<EventPrinter> m_printer; // made at the first event: a byte stream prints raw
  std::optional<CursorFile> m_cursor;
  std::unique_ptr<RecordingFile> m_record;
  std::unique_ptr<StateSession> m_state;
  std::optional<std::string> m_position;
  std::uint64_t m_event_number = 0;
  std::uint64_t m_printed = 0;
  bool m_done = false;
  bool m_reconnect_requested = false;
  std::atomic<bool> m_stdout_closed{false};
  static constexpr std::chrono::milliseconds k_cursor_interval{100};
  std::chrono::steady_clock::time_point m_cursor_saved{};
};

} // namespace cmd
