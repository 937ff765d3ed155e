#pragma once
// What `sse tail` was asked to do; shared by the SSE and the Durable Streams readers.

#include "request_options.hpp"
#include "state_view.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cmd {

struct TailOptions {
  std::string url;
  RequestOptions request;
  std::string format;
  bool json_data = false;
  bool comments = false;
  std::vector<std::string> events;
  std::string extract;
  std::uint64_t max_events = 0;
  std::string until;
  std::optional<std::string> until_data;
  std::string timeout;
  std::string idle_timeout;
  bool no_reconnect = false;
  bool retry_post = false;
  std::optional<std::uint32_t> max_retries;
  std::string max_backoff = "30s";
  std::optional<std::string> last_event_id;
  std::string cursor_file;
  std::string record;
  bool no_error_events = false;
  std::string max_event_size = "16MiB";
  StateOptions state;
  bool apply = false; ///< --apply was given: print states instead of events
  // Durable Streams
  bool durable = false;
  std::optional<std::string> offset;
  std::optional<std::string> live;
  std::optional<std::string> auth;
};

/// Reads a Durable Streams stream as OPTIONS ask (tail_durable.cpp).
int run_durable_tail(const TailOptions& options, const Context& context);

} // namespace cmd
