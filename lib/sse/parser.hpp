#pragma once
// An incremental event-stream parser following the WHATWG HTML "event stream interpretation"
// rules. It does no I/O and never throws: input may be split anywhere, and the only failure is
// an event or line larger than the configured limit.

#include "sse/event.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace sse {

/// Receives what the parser finds, in stream order.
class ParserHandler {
public:
  virtual ~ParserHandler() = default;
  /// An event was dispatched (a blank line ended a block with data).
  virtual void on_event(const EventView& event) = 0;
  /// A comment line; TEXT is what follows the colon, decoded, its leading space kept.
  virtual void on_comment(std::string_view text) { (void)text; }
  /// A valid retry: field, as soon as its line is read.
  virtual void on_retry(std::uint64_t milliseconds) { (void)milliseconds; }
  /// With keep_raw: bytes that belong to no dispatched event (blocks without data, the
  /// discarded tail at finish(), or a block's start once it outgrew max_event_size), in stream
  /// order with the events' raw bytes, so that together they are exactly the input.
  virtual void on_raw(std::string_view bytes) { (void)bytes; }
};

struct ParserOptions {
  /// Largest event (data, type and id together, counted as received before UTF-8 decoding)
  /// and largest line, in bytes; with keep_raw
  /// also the most raw bytes held back for the next event.
  std::size_t max_event_size = 16 * 1024 * 1024;
  /// Whether events carry the raw bytes they were parsed from (for byte-exact output).
  bool keep_raw = false;
  /// Only the number of events matters: values are not decoded or kept, and events are
  /// dispatched with empty fields. Limits and comments work as usual.
  bool count_only = false;
};

/// Why the parser stopped.
struct ParseFailure {
  std::uint64_t byte_offset = 0; ///< stream offset of the line that crossed the limit
  std::uint64_t event_number = 0; ///< 1-based number of the event being read
  bool in_line = false;           ///< a single line, rather than the event, was too large
};

/// "a line of event 3 exceeds the maximum event size of 16MiB": what a failure means for the
/// user, LIMIT being the max_event_size in force (the caller names how it is set:
/// util::Setting::max_event_size).
std::string describe(const ParseFailure& failure, std::uint64_t limit);

class Parser {
public:
  explicit Parser(ParserHandler& handler, ParserOptions options = {});

  /// Feeds the next bytes of the stream; events complete in them are dispatched before it
  /// returns. False once a limit was crossed: the stream is then over and further input is
  /// ignored.
  bool feed(std::string_view bytes);

  /// Ends the stream: an unterminated last block is discarded, as the rules require (with
  /// keep_raw its bytes go to on_raw). The parser may then be fed a new stream, as over a
  /// reconnection: the last event ID persists, as it does in a browser's EventSource.
  void finish();

  /// Sets the last event ID buffer, as a resumed stream starts from a known ID.
  void set_last_event_id(std::string id);

  bool failed() const noexcept { return m_failed; }
  const ParseFailure& failure() const noexcept { return m_failure; }
  /// Events dispatched so far.
  std::uint64_t event_count() const noexcept { return m_events; }
  /// The last event ID string: the id buffer as of the last blank line, which persists
  /// across events. An id: line of a block that has not ended yet is not in it, so a client
  /// that resumes from it never skips an event it did not receive.
  const std::string& last_event_id() const noexcept { return m_dispatched_id; }

private:
  void process_line(std::string_view line);
  void dispatch();
  void fail(std::uint64_t offset, bool in_line);
  void add_data(std::string_view value);
  /// Sets the event's type or id (FIELD, whose size in bytes BYTES counts even when only
  /// counting) to VALUE.
  void set_field(std::string& field, std::size_t& bytes, std::string_view value);
  void check_event_size();
  void release_raw(std::size_t chunk_bytes);

  ParserHandler& m_handler;
  ParserOptions m_options;

  std::string m_line;  // an incomplete line carried over from the previous feed
  std::string m_data;  // the data buffer
  std::string m_type;  // the event type buffer
  std::string m_id;    // the last event ID buffer
  std::string m_dispatched_id; // the last event ID string: m_id at the last blank line
  std::optional<std::uint64_t> m_retry;
  // Sizes as received, for the limit: the data buffer (values plus a LF each), the type and
  // the id. m_data_bytes is zero exactly when the data buffer is empty.
  std::size_t m_data_bytes = 0;
  std::size_t m_type_bytes = 0;
  std::size_t m_id_bytes = 0;
  std::string m_raw;   // bytes of the current block before this feed (keep_raw only)

  std::uint64_t m_offset = 0; // stream offset of the start of the current feed
  std::uint64_t m_line_start = 0; // stream offset of the line being read
  std::uint64_t m_events = 0;
  bool m_first_line = true;   // the BOM may only be stripped from the first line
  bool m_skip_lf = false;     // the previous feed ended in CR: a leading LF belongs to it
  bool m_failed = false;
  ParseFailure m_failure;

  // During feed(): where the current chunk's raw bytes for the next event begin, and the end
  // of the line being processed, so that dispatch() can hand out the raw span.
  const char* m_chunk_raw_begin = nullptr;
  const char* m_line_end = nullptr;
};

} // namespace sse
