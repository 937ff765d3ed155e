#include "durable/client/reader.hpp"

#include "durable/protocol/headers.hpp"
#include "durable/protocol/json_splitter.hpp"
#include "durable/protocol/rules.hpp"
#include "http/describe.hpp"
#include "http/request_check.hpp"
#include "http/retry.hpp"
#include "http/watchdog.hpp"
#include "json/value.hpp"
#include "sse/parser.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

#include "json/value_type.hpp"

#include <exception>
#include <random>
#include <vector>

namespace durable {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Answers in a row without data, progress or Stream-Up-To-Date before a read gives up: a
// server that means it waits (long-poll) or says it is at the tail.
constexpr std::uint32_t k_max_stalled_answers = 10;

std::string escape_query_value(std::string_view value)
{
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
        || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

bool header_true(const http::Headers& headers, std::string_view name)
{
  const auto value = http::find_header(headers, name);
  return is_true(value ? &*value : nullptr);
}

// What every response kind shares: the status, an error body to quote, and an exception
// from the handler kept away from the transport until the transfer is over. A successful
// response's head and body go to accept_head and accept_body.
class ResponseBase : public http::ResponseHandler {
public:
  explicit ResponseBase(ReaderHandler& handler) : m_handler(handler) {}

  bool on_head(const http::ResponseHead& head) final
  {
    m_head = head;
    return guarded([&] {
      m_handler.on_response(head);
      return !success() || accept_head(head);
    });
  }

  bool on_body(std::string_view bytes) final
  {
    if (!success()) {
      return collect_error(bytes);
    }
    return guarded([&] { return accept_body(bytes); });
  }

  void rethrow() const
  {
    if (m_error) {
      std::rethrow_exception(m_error);
    }
  }
  const http::ResponseHead& head() const { return m_head; }
  bool success() const { return m_head.status >= 200 && m_head.status <= 299; }
  Reply reply() const { return {m_head.status, m_head.reason, m_head.headers, m_error_body}; }
  bool closed() const { return m_closed; }

protected:
  virtual bool accept_head(const http::ResponseHead& head) = 0;
  virtual bool accept_body(std::string_view bytes) = 0;

  template <typename F> bool guarded(F work)
  {
    try {
      return work();
    } catch (...) {
      m_error = std::current_exception();
      return false;
    }
  }
  bool collect_error(std::string_view bytes)
  {
    m_error_body.append(bytes.substr(0, http::k_excerpt_length + 1
                                          - std::min(m_error_body.size(), http::k_excerpt_length + 1)));
    return m_error_body.size() <= http::k_excerpt_length;
  }

  ReaderHandler& m_handler;
  http::ResponseHead m_head;
  std::string m_error_body;
  std::exception_ptr m_error;
  bool m_closed = false;
};

} // namespace

std::string read_query(const std::string& offset, std::optional<std::string_view> live,
                       const std::optional<std::string>& cursor)
{
  std::string query;
  if (cursor) {
    query += std::string(query::k_cursor) + "=" + escape_query_value(*cursor) + "&";
  }
  if (live) {
    query += std::string(query::k_live) + "=" + std::string(*live) + "&";
  }
  query += std::string(query::k_offset) + "=" + escape_query_value(offset);
  return query;
}

// A catch-up or long-poll response: the body is the data after the offset, delivered as it
// arrives; the offset moves on only when the whole body is in.
class ReadResponse : public ResponseBase {
public:
  explicit ReadResponse(Reader& reader)
    : ResponseBase(reader.m_handler), m_reader(reader), m_splitter(reader.m_options.max_message_size),
      m_skip(reader.m_delivered)
  {
  }

  bool accept_head(const http::ResponseHead& head) override
  {
    const auto next = http::find_header(head.headers, header::k_next_offset);
    if (!next || next->empty()) {
      throw util::Error(util::Errc::bad_input,
                        std::string("not a Durable Streams response: no ") + header::k_next_offset + " header",
                        m_reader.m_options.request.url.str());
    }
    m_next = *next;
    if (head.status == 200) {
      if (const auto type = http::find_header(head.headers, "Content-Type")) {
        m_reader.m_content_type = *type;
        m_reader.m_json = is_json(*type);
      }
    }
    return true;
  }

  bool accept_body(std::string_view bytes) override
  {
    m_body_seen = m_body_seen || !bytes.empty();
    auto& handler = m_reader.m_handler;
    if (m_reader.m_json) {
      m_splitter.feed(bytes, [&](std::string_view message) {
        if (m_skip > 0) {
          --m_skip;
          return;
        }
        if (!handler.done()) {
          handler.on_message(message, m_next);
          ++m_reader.m_delivered;
        }
      });
    } else {
      const auto skipped = static_cast<std::size_t>(std::min<std::uint64_t>(m_skip, bytes.size()));
      m_skip -= skipped;
      bytes.remove_prefix(skipped);
      if (!bytes.empty()) {
        handler.on_bytes(bytes, m_next);
        m_reader.m_delivered += bytes.size();
      }
    }
    return !handler.done();
  }

  /// The transfer completed: the offset moves to the response's end.
  void complete()
  {
    if (m_reader.m_json && m_head.status == 200 && m_body_seen) {
      m_splitter.finish();
    }
    const bool up_to_date = header_true(m_head.headers, header::k_up_to_date) || m_head.status == 204;
    m_closed = header_true(m_head.headers, header::k_closed);
    if (const auto cursor = http::find_header(m_head.headers, header::k_cursor)) {
      m_reader.m_cursor = *cursor;
    }
    // A response that neither moved on nor reached the tail would be asked for forever.
    const bool stuck = m_next == m_reader.m_offset && !m_body_seen;
    m_reader.m_offset = m_next;
    // A retry that ended sooner than the broken response before it: what that one delivered
    // beyond this end is still to be skipped from here.
    m_reader.m_delivered = m_skip;
    if (up_to_date || stuck) {
      m_reader.m_caught_up = true;
    }
    m_up_to_date = up_to_date || stuck;
    m_stalled = stuck && !up_to_date && !m_closed;
    m_reader.m_handler.on_progress(m_next, m_up_to_date);
  }

  bool up_to_date() const { return m_up_to_date; }
  /// The response moved nothing on: no data, the same offset, and no word of the tail.
  bool stalled() const { return m_stalled; }

private:
  Reader& m_reader;
  JsonArraySplitter m_splitter;
  std::uint64_t m_skip;
  std::string m_next;
  bool m_body_seen = false;
  bool m_up_to_date = false;
  bool m_stalled = false;
};

// An SSE response: data events are held until the control event after them gives their
// offset, then delivered together, so a connection lost in between loses nothing.
class SseResponse : public ResponseBase, private sse::ParserHandler {
public:
  explicit SseResponse(Reader& reader)
    : ResponseBase(reader.m_handler), m_reader(reader), m_splitter(reader.m_options.max_message_size),
      m_parser(*this, sse::ParserOptions{reader.m_options.max_message_size, false, false})
  {
  }

  bool accept_head(const http::ResponseHead& head) override
  {
    const auto type = http::find_header(head.headers, "Content-Type");
    if (!type || media_type(*type) != "text/event-stream") {
      throw util::Error(util::Errc::bad_input,
                        "the server answered an SSE read with Content-Type "
                          + type.value_or("none") + ", not text/event-stream",
                        m_reader.m_options.request.url.str());
    }
    const auto encoding = http::find_header(head.headers, header::k_sse_data_encoding);
    m_base64 = encoding && util::to_lower(*encoding) == "base64";
    return true;
  }

  bool accept_body(std::string_view bytes) override
  {
    if (!m_parser.feed(bytes)) {
      throw util::Error(util::Errc::bad_input,
                        sse::describe(m_parser.failure(), m_reader.m_options.max_message_size),
                        m_reader.m_options.request.url.str(), {util::Setting::max_event_size});
    }
    return !m_closed && !m_reader.m_handler.done();
  }

  std::uint64_t controls() const { return m_controls; }
  /// Payloads delivered to the handler.
  std::uint64_t delivered() const { return m_payloads; }
  /// Whether a control event said the stream is at its tail (or closed).
  bool told_up_to_date() const { return m_told_up_to_date; }

private:
  void on_event(const sse::EventView& event) override
  {
    if (event.type == sse_field::k_data_event) {
      if (m_base64) {
        auto decoded = decode_base64(event.data);
        if (!decoded) {
          throw util::Error(util::Errc::bad_input, "an SSE data event is not valid base64",
                            m_reader.m_options.request.url.str());
        }
        m_pending.push_back(std::move(*decoded));
      } else {
        m_pending.emplace_back(event.data);
      }
    } else if (event.type == sse_field::k_control_event) {
      control(event.data);
    }
    // Other event types are for later versions of the protocol: ignored.
  }

  void control(std::string_view data)
  {
    ::json::Value json;
    try {
      json = ::json::parse_value(data);
    } catch (const util::Error&) {
      json = nullptr; // malformed: reported below
    }
    const std::string url = m_reader.m_options.request.url.str();
    if (!json.is_object() || !json.contains(sse_field::k_next_offset)
        || !json[sse_field::k_next_offset].is_string() || json[sse_field::k_next_offset].get_ref<const std::string&>().empty()) {
      throw util::Error(util::Errc::bad_input,
                        "malformed SSE control event: " + http::excerpt(data), url);
    }
    const std::string next = json[sse_field::k_next_offset].get<std::string>();
    auto& handler = m_reader.m_handler;
    bool all_delivered = true;
    m_payloads += m_pending.size();
    for (const auto& payload : m_pending) {
      if (m_reader.m_json) {
        m_splitter.reset();
        m_splitter.feed(payload, [&](std::string_view message) {
          if (handler.done()) {
            all_delivered = false;
          } else {
            handler.on_message(message, next);
          }
        });
        m_splitter.finish();
      } else if (!payload.empty()) {
        if (handler.done()) {
          all_delivered = false;
        } else {
          handler.on_bytes(payload, next);
        }
      }
    }
    m_pending.clear();
    if (!all_delivered) {
      return; // the handler stopped inside the batch: the offset stays before it
    }
    if (const auto cursor = json.find(sse_field::k_cursor); cursor != json.end()) {
      m_reader.m_cursor = cursor->is_string() ? cursor->get<std::string>() : cursor->dump();
    }
    const bool up_to_date = json.value(sse_field::k_up_to_date, false) == true;
    m_closed = json.value(sse_field::k_closed, false) == true;
    m_reader.m_offset = next;
    m_reader.m_delivered = 0;
    ++m_controls;
    m_told_up_to_date = m_told_up_to_date || up_to_date || m_closed;
    handler.on_progress(next, up_to_date || m_closed);
  }

  Reader& m_reader;
  JsonArraySplitter m_splitter;
  sse::Parser m_parser;
  std::vector<std::string> m_pending;
  std::uint64_t m_controls = 0;
  bool m_told_up_to_date = false;
  std::uint64_t m_payloads = 0;
  bool m_base64 = false;
};

Reader::Reader(http::Transport& transport, ReaderOptions options, ReaderHandler& handler)
  : m_transport(transport), m_options(std::move(options)), m_handler(handler),
    m_offset(m_options.offset)
{
}

void Reader::interrupt()
{
  m_wait.interrupt();
  m_transport.cancel();
}

http::Request Reader::request_for(bool live) const
{
  http::Request request = m_options.request;
  std::optional<std::string_view> mode;
  if (live) {
    mode = m_options.live == Live::sse ? query::k_live_sse : query::k_live_long_poll;
  }
  const std::string query = read_query(m_offset, mode, live ? m_cursor : std::nullopt);
  request.url.target += (request.url.target.find('?') == std::string::npos ? "?" : "&") + query;
  request.method = "GET";
  request.body.reset();
  if (live && m_options.live == Live::sse && !http::find_header(request.headers, "Accept")) {
    request.headers.emplace_back("Accept", "text/event-stream");
  }
  return request;
}

Reader::End Reader::run()
{
  const std::string url = m_options.request.url.str();
  const Clock::time_point deadline =
    m_options.timeout ? Clock::now() + *m_options.timeout : Clock::time_point::max();
  const std::uint64_t seed = m_options.seed != 0 ? m_options.seed : std::random_device{}();
  http::Backoff backoff(m_options.initial_backoff, m_options.max_backoff, seed);
  http::Watchdog watchdog(m_transport);
  auto timed_out = [&] {
    return util::Error(util::Errc::timeout,
                       "timed out after " + http::describe_duration(*m_options.timeout), url,
                       {util::Setting::timeout});
  };

  std::uint32_t failures = 0; // in a row, without progress
  std::uint32_t stalled = 0;  // answers in a row that moved nothing on
  auto stalled_error = [&] {
    return util::Error(util::Errc::bad_input,
                       "the server answered " + std::to_string(stalled)
                         + " reads in a row with no data and no progress from offset " + m_offset
                         + std::string(", without ") + header::k_up_to_date,
                       url);
  };
  for (std::uint32_t number = 0;; ++number) {
    const bool live = m_caught_up && m_options.live != Live::none;
    const bool sse = live && m_options.live == Live::sse;
    const http::Request request = request_for(live);
    m_handler.on_request(request, number);
    const std::string offset_before = m_offset;
    const std::uint64_t delivered_before = m_delivered;

    ReadResponse read(*this);
    SseResponse stream(*this);
    ResponseBase& response = sse ? static_cast<ResponseBase&>(stream) : read;
    watchdog.arm(deadline, m_options.idle_timeout);
    const http::TransferResult result = m_transport.send(request, response);
    const http::Watchdog::Expiry expiry = watchdog.disarm();
    m_transport.clear_cancel();
    response.rethrow();
    http::throw_if_unrecoverable(result, url);
    if (m_wait.interrupted()) {
      return End::interrupted;
    }
    if (m_handler.done()) {
      return End::done;
    }
    if (expiry == http::Watchdog::Expiry::total) {
      throw timed_out();
    }

    const bool answered = result.outcome == http::TransferResult::Outcome::completed
                          || (result.outcome == http::TransferResult::Outcome::stopped
                              && response.head().status > 0);
    std::string why;
    util::Setting why_setting = util::Setting::none; // what `why` follows from
    std::optional<milliseconds> floor;
    if (answered && response.success()) {
      if (!sse && result.outcome == http::TransferResult::Outcome::completed) {
        read.complete();
        if (read.closed()) {
          return End::closed;
        }
        if (m_options.live == Live::none && read.up_to_date()) {
          return End::up_to_date;
        }
        // A server that answers at once, again and again, without data, progress or
        // Stream-Up-To-Date would be asked forever, as fast as it answers.
        stalled = read.stalled() ? stalled + 1 : 0;
        if (stalled >= k_max_stalled_answers) {
          throw stalled_error();
        }
        failures = 0;
        continue;
      }
      if (sse && response.closed()) {
        return End::closed;
      }
      if (sse && stream.controls() > 0) {
        failures = 0; // a healthy connection
        if (result.outcome == http::TransferResult::Outcome::completed) {
          // The server ends SSE responses now and then (DIGEST.md §4): resume at once, unless
          // they keep ending without data, progress or word of the tail.
          const bool moved = m_offset != offset_before || m_delivered != delivered_before
                             || stream.delivered() > 0;
          stalled = !moved && !stream.told_up_to_date() ? stalled + 1 : 0;
          if (stalled >= k_max_stalled_answers) {
            throw stalled_error();
          }
          continue;
        }
      }
      why = result.outcome == http::TransferResult::Outcome::completed
              ? "the SSE response ended before a control event"
              : (result.message.empty() ? "connection ended" : result.message);
    } else if (answered) {
      const int status = response.head().status;
      if (!is_retryable_status(status)) {
        throw_status(response.reply(), "read", url);
      }
      why = http::status_text(status, response.head().reason);
      floor = http::retry_after(response.head().headers);
    } else if (expiry == http::Watchdog::Expiry::idle) {
      why = "no data for " + http::describe_duration(*m_options.idle_timeout);
      why_setting = util::Setting::idle_timeout;
      if (!m_options.retry) {
        throw util::Error(util::Errc::timeout, why, url, {why_setting});
      }
    } else {
      why = result.message.empty() ? "connection failed" : result.message;
    }

    if (!m_options.retry) {
      throw util::Error(util::Errc::runtime, why, url, {why_setting, util::Setting::no_reconnect});
    }
    if (m_offset != offset_before || m_delivered != delivered_before) {
      failures = 0;
    }
    if (m_options.max_retries && failures >= *m_options.max_retries) {
      throw util::Error(util::Errc::runtime,
                        "giving up after " + std::to_string(failures) + " retries: " + why, url,
                        {why_setting, util::Setting::max_retries});
    }
    const milliseconds wait = backoff.wait(failures, floor);
    ++failures;
    m_handler.on_retry(wait, why, why_setting);
    switch (m_wait.wait(wait, deadline)) {
    case http::InterruptibleWait::End::interrupted:
      return End::interrupted;
    case http::InterruptibleWait::End::deadline:
      throw timed_out();
    case http::InterruptibleWait::End::elapsed:
      break;
    }
  }
}

} // namespace durable
