// sse tail on a Durable Streams stream: messages from an offset, live by SSE or long-poll,
// until Stream-Closed. A JSON stream prints one message per line; any other stream its bytes.
// --cursor-file saves the next offset once what came before it is on stdout.

#include "durable_options.hpp"
#include "event_sink.hpp"
#include "setting_names.hpp"
#include "tail_options.hpp"
#include "trace.hpp"
#include "durable/client/reader.hpp"
#include "http/httplib_transport.hpp"
#include "util/error.hpp"

#include <iostream>

namespace cmd {
namespace {

// A Durable Streams reader's messages, handed to the sink; what is durable tail's own is the
// tracing and the retry messages.
class DurableTailHandler : public durable::ReaderHandler {
public:
  DurableTailHandler(const Context& context, EventSink& sink, const std::string& url)
    : m_context(context), m_sink(sink), m_url(url)
  {
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
    m_sink.message(json, next_offset);
  }

  void on_bytes(std::string_view bytes, const std::string& next_offset) override
  {
    m_sink.chunk(bytes, next_offset);
  }

  void on_progress(const std::string& next_offset, bool up_to_date) override
  {
    (void)up_to_date;
    if (!next_offset.empty()) {
      m_sink.reached(next_offset);
    }
    m_sink.flush();
  }

  void on_retry(std::chrono::milliseconds wait, const std::string& why,
                util::Setting setting) override
  {
    m_sink.reconnecting();
    std::cerr << "sse: " << why << setting_note(setting) << "; retrying in " << wait.count() << "ms (" << m_url << ")"
              << std::endl;
  }

  bool done() const override { return m_sink.done(); }

private:
  const Context& m_context;
  EventSink& m_sink;
  const std::string& m_url;
};

} // namespace

int run_durable_tail(const TailOptions& options, const Context& context)
{
  const std::string& url = options.target.url;
  durable::ReaderOptions reader;
  reader.request = durable_request(options.request, options.auth, options.target.parsed);
  reader.live = options.live.value_or(durable::Live::sse);
  reader.retry = !options.no_reconnect;
  set_retries_and_timeouts(reader, options);
  reader.max_message_size = static_cast<std::size_t>(options.max_event_size);

  Writer out;
  // A Durable Streams stream has no error events: --no-error-events does not apply.
  EventSink sink(options.sink, context, out, {url, "sse tail " + url, false});
  if (auto saved = sink.saved_cursor(); saved && !saved->empty()) {
    reader.offset = *saved;
  } else if (options.offset) {
    reader.offset = *options.offset;
  }
  DurableTailHandler handler(context, sink, url);
  http::HttplibTransport transport;
  durable::Reader stream(transport, std::move(reader), handler);
  sink.read(stream);
  return sink.ended();
}

} // namespace cmd
