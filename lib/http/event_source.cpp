#include "http/event_source.hpp"

#include "http/describe.hpp"
#include "http/request_check.hpp"
#include "http/retry.hpp"
#include "http/watchdog.hpp"
#include "util/error.hpp"
#include "util/text.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <random>
#include <thread>

namespace http {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;


bool is_event_stream(const ResponseHead& head)
{
  const auto type = find_header(head.headers, "Content-Type");
  if (!type) {
    return false;
  }
  std::string media = util::to_lower(type->substr(0, type->find(';')));
  media.erase(std::remove_if(media.begin(), media.end(), [](char c) { return c == ' ' || c == '\t'; }),
              media.end());
  return media == "text/event-stream";
}

std::string status_text(const ResponseHead& head)
{
  return http::status_text(head.status, head.reason);
}

// One connection: decides from the head whether the body is an event stream to parse or an
// error body to quote, and keeps any exception from the handler away from the transport.
class Connection : public ResponseHandler {
public:
  enum class Kind { none, stream, no_content, fatal, retryable, not_event_stream, durable };

  Connection(sse::Parser& parser, EventSourceHandler& handler, Watchdog& watchdog, bool detect_durable)
    : m_parser(parser), m_handler(handler), m_watchdog(watchdog), m_detect_durable(detect_durable)
  {
  }

  bool on_head(const ResponseHead& head) override
  {
    m_head = head;
    const int status = head.status;
    if (m_detect_durable && status >= 200 && status < 300
        // Spelled here, not taken from durable/protocol/headers.hpp: http sits below durable.
        && find_header(head.headers, "Stream-Next-Offset")) {
      m_kind = Kind::durable;
      return false;
    }
    if (status == 204) {
      m_kind = Kind::no_content;
      return false;
    }
    if (status >= 200 && status < 300) {
      if (!is_event_stream(head)) {
        m_kind = Kind::not_event_stream;
        return true; // read the start of the body for the message
      }
      m_kind = Kind::stream;
      return guarded([&] { m_handler.on_open(head); });
    }
    m_kind = status == 408 || status == 429 || status >= 500 ? Kind::retryable : Kind::fatal;
    return true;
  }

  bool on_body(std::string_view bytes) override
  {
    m_watchdog.touch();
    if (m_kind != Kind::stream) {
      m_body.append(bytes.substr(0, k_excerpt_length + 1 - std::min(m_body.size(), k_excerpt_length + 1)));
      return m_body.size() <= k_excerpt_length;
    }
    return guarded([&] {
      m_parse_ok = m_parser.feed(bytes);
      m_handler.on_chunk_parsed();
    }) && m_parse_ok && !m_handler.done() && !m_handler.wants_reconnect();
  }

  void rethrow() const
  {
    if (m_error) {
      std::rethrow_exception(m_error);
    }
  }

  Kind kind() const { return m_kind; }
  const ResponseHead& head() const { return m_head; }
  const std::string& body() const { return m_body; }
  bool parse_failed() const { return !m_parse_ok; }

private:
  template <typename F> bool guarded(F work)
  {
    try {
      work();
      return true;
    } catch (...) {
      m_error = std::current_exception();
      return false;
    }
  }

  sse::Parser& m_parser;
  EventSourceHandler& m_handler;
  Watchdog& m_watchdog;
  bool m_detect_durable;
  Kind m_kind = Kind::none;
  ResponseHead m_head;
  std::string m_body;
  bool m_parse_ok = true;
  std::exception_ptr m_error;
};

util::Error limit_error(const sse::ParseFailure& failure, std::size_t limit, const std::string& url)
{
  return util::Error(util::Errc::bad_input, sse::describe(failure, limit),
                     url + ", line at byte " + std::to_string(failure.byte_offset),
                     {util::Setting::max_event_size});
}

} // namespace

void EventSource::Forwarder::on_event(const sse::EventView& event)
{
  ++m_source.m_events_this_connection;
  if (!m_source.m_handler.done()) {
    m_source.m_handler.on_event(event);
  }
}

void EventSource::Forwarder::on_comment(std::string_view text)
{
  if (!m_source.m_handler.done()) {
    m_source.m_handler.on_comment(text);
  }
}

void EventSource::Forwarder::on_retry(std::uint64_t milliseconds)
{
  m_source.m_server_retry = std::chrono::milliseconds(
    std::min<std::uint64_t>(milliseconds, std::uint64_t{1} << 40));
  m_source.m_handler.on_retry(milliseconds);
}

void EventSource::Forwarder::on_raw(std::string_view bytes)
{
  if (!m_source.m_handler.done()) {
    m_source.m_handler.on_raw(bytes);
  }
}

EventSource::EventSource(Transport& transport, EventSourceOptions options,
                         EventSourceHandler& handler)
  : m_transport(transport), m_options(std::move(options)), m_handler(handler), m_forwarder(*this),
    m_parser(m_forwarder, m_options.parser)
{
  m_parser.set_last_event_id(m_options.last_event_id);
}

void EventSource::interrupt()
{
  m_wait.interrupt();
  m_transport.cancel();
}

EventSource::End EventSource::run()
{
  const std::string url = m_options.request.url.str();
  const Clock::time_point deadline =
    m_options.timeout ? Clock::now() + *m_options.timeout : Clock::time_point::max();
  const bool may_resend = m_options.request.method == "GET" || m_options.retry_non_get;
  const std::uint64_t seed = m_options.seed != 0 ? m_options.seed : std::random_device{}();
  Backoff backoff(m_options.retry, m_options.max_backoff, seed);
  Watchdog watchdog(m_transport);
  auto timed_out = [&] {
    return util::Error(util::Errc::timeout,
                       "timed out after " + describe_duration(*m_options.timeout), url,
                       {util::Setting::timeout});
  };

  std::uint32_t attempt = 0; // reconnects in a row without an event
  for (std::uint32_t request_number = 0;; ++request_number) {
    Request request = m_options.request;
    // What a browser sends, unless the user set a header of the same name with -H.
    for (const auto& [name, value] : {std::pair<const char*, const char*>{"Accept", "text/event-stream"},
                                      {"Cache-Control", "no-cache"},
                                      {"Accept-Encoding", "gzip, deflate, br"}}) {
      if (!find_header(request.headers, name)) {
        request.headers.emplace_back(name, value);
      }
    }
    if (!m_parser.last_event_id().empty()) {
      std::erase_if(request.headers, [](const auto& header) {
        return find_header({header}, "Last-Event-ID").has_value();
      });
      request.headers.emplace_back("Last-Event-ID", m_parser.last_event_id());
    }
    m_handler.on_request(request, request_number);

    Connection connection(m_parser, m_handler, watchdog, m_options.detect_durable);
    m_events_this_connection = 0;
    watchdog.arm(deadline, m_options.idle_timeout);
    const TransferResult result = m_transport.send(request, connection);
    const Watchdog::Expiry expiry = watchdog.disarm();
    m_transport.clear_cancel();
    m_parser.finish();
    connection.rethrow();
    throw_if_unrecoverable(result, url);
    if (m_handler.done()) {
      return End::finished;
    }
    if (connection.kind() == Connection::Kind::durable) {
      return End::durable_stream;
    }
    if (connection.parse_failed()) {
      throw limit_error(m_parser.failure(), m_options.parser.max_event_size, url);
    }
    if (expiry == Watchdog::Expiry::total) {
      throw timed_out();
    }

    std::string why;
    util::Setting why_setting = util::Setting::none; // what `why` follows from
    std::optional<milliseconds> retry_after;
    const auto& head = connection.head();
    switch (connection.kind()) {
    case Connection::Kind::no_content:
      return End::finished; // the server's way of saying: do not reconnect
    case Connection::Kind::fatal:
      throw util::Error(util::Errc::http_status,
                        status_text(head)
                          + (connection.body().empty() ? "" : ": " + excerpt(connection.body())),
                        url);
    case Connection::Kind::not_event_stream: {
      const auto type = find_header(head.headers, "Content-Type");
      throw util::Error(util::Errc::bad_input,
                        "not an event stream (Content-Type: " + type.value_or("none") + ")"
                          + (connection.body().empty() ? "" : ": " + excerpt(connection.body())),
                        url);
    }
    case Connection::Kind::retryable:
      why = status_text(head);
      retry_after = http::retry_after(head.headers);
      break;
    case Connection::Kind::stream:
    case Connection::Kind::none:
    case Connection::Kind::durable:
      break;
    }
    if (expiry == Watchdog::Expiry::idle) {
      why = "no data for " + describe_duration(*m_options.idle_timeout);
      why_setting = util::Setting::idle_timeout;
      if (!m_options.reconnect) {
        throw util::Error(util::Errc::timeout, why, url, {why_setting});
      }
    } else if (m_handler.wants_reconnect()) {
      why = "the stream asked to reconnect";
    } else if (why.empty() && result.outcome != TransferResult::Outcome::completed) {
      why = result.message.empty() ? "connection ended" : result.message;
    }

    if (!m_options.reconnect || !may_resend) {
      if (why.empty()) {
        return End::finished; // a clean end of a stream that is not to be resumed
      }
      const util::Setting hint = may_resend ? util::Setting::none : util::Setting::retry_post;
      util::Errc code = util::Errc::runtime;
      if (expiry == Watchdog::Expiry::idle) {
        code = util::Errc::timeout;
      } else if (connection.kind() == Connection::Kind::retryable) {
        code = util::Errc::http_status;
      }
      throw util::Error(code, why, url, {why_setting, hint});
    }
    if (m_events_this_connection > 0) {
      attempt = 0;
    }
    if (m_options.max_retries && attempt >= *m_options.max_retries) {
      throw util::Error(util::Errc::runtime,
                        "giving up after " + std::to_string(attempt) + " retries: "
                          + (why.empty() ? "stream ended" : why),
                        url, {why_setting, util::Setting::max_retries});
    }
    if (m_server_retry) {
      backoff.set_retry(*m_server_retry);
    }
    const milliseconds wait = backoff.wait(attempt, retry_after);
    ++attempt;
    m_handler.on_reconnect(wait, why, why_setting);
    switch (m_wait.wait(wait, deadline)) {
    case InterruptibleWait::End::interrupted:
      return End::finished;
    case InterruptibleWait::End::deadline:
      throw timed_out();
    case InterruptibleWait::End::elapsed:
      break;
    }
  }
}

} // namespace http
