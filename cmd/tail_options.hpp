#pragma once
// What `sse tail` was asked to do, as typed values; shared by the SSE and the Durable Streams
// readers.

#include "durable_options.hpp"
#include "event_sink.hpp"
#include "request_options.hpp"
#include "shared_options.hpp"
#include "durable/client/reader.hpp"
#include "http/event_source.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace cmd {

struct TailOptions {
  StreamTarget target;
  RequestOptions request;
  SinkOptions sink; ///< what happens to the events: the options tail shares with replay
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<std::chrono::milliseconds> idle_timeout;
  bool no_reconnect = false;
  bool retry_post = false;
  std::optional<std::uint32_t> max_retries;
  std::chrono::milliseconds max_backoff = http::EventSourceOptions{}.max_backoff;
  std::optional<std::string> last_event_id;
  bool no_error_events = false;
  std::uint64_t max_event_size = k_default_max_event_size;
  // Durable Streams
  bool durable = false;
  std::optional<std::string> offset;
  std::optional<durable::Live> live; ///< empty: sse
  std::optional<std::string> auth;
};

/// Sets what an EventSource and a Durable Streams reader share, in READER (the options of
/// either), from OPTIONS: the retry bounds and the timeouts.
template <typename ReaderOptions>
void set_retries_and_timeouts(ReaderOptions& reader, const TailOptions& options)
{
  reader.max_retries = options.max_retries;
  reader.max_backoff = options.max_backoff;
  reader.timeout = options.timeout;
  reader.idle_timeout = options.idle_timeout;
}

/// Reads a Durable Streams stream as OPTIONS ask (tail_durable.cpp).
int run_durable_tail(const TailOptions& options, const Context& context);

} // namespace cmd
