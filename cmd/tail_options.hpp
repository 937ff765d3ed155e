#pragma once
// What `sse tail` was asked to do; shared by the SSE and the Durable Streams readers.

#include "event_sink.hpp"
#include "request_options.hpp"
#include "shared_options.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace cmd {

struct TailOptions {
  std::string url;
  RequestOptions request;
  SinkOptions sink; ///< what happens to the events: the options tail shares with replay
  std::string timeout;
  std::string idle_timeout;
  bool no_reconnect = false;
  bool retry_post = false;
  std::optional<std::uint32_t> max_retries;
  std::string max_backoff = "30s";
  std::optional<std::string> last_event_id;
  bool no_error_events = false;
  std::string max_event_size = k_default_max_event_size;
  // Durable Streams
  bool durable = false;
  std::optional<std::string> offset;
  std::optional<std::string> live;
  std::optional<std::string> auth;
};

/// Reads a Durable Streams stream as OPTIONS ask (tail_durable.cpp).
int run_durable_tail(const TailOptions& options, const Context& context);

} // namespace cmd
