#pragma once
// sse serve --durable: a Durable Streams server on the loop and HTTP core that serve uses.

#include "context.hpp"

#include "durable/server/server.hpp"
#include "net/access.hpp"
#include "net/http_request.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace cmd {

struct DurableOptions {
  std::string host;
  std::uint16_t port = 4437;
  std::string data_dir = "sse-data";
  bool memory = false;
  bool repair = false; ///< cut damaged streams back at start (DiskStoreOptions::repair)
  std::chrono::milliseconds long_poll_timeout = durable::ServerOptions{}.long_poll_timeout;
  std::string token;
  std::uint64_t max_body = net::RequestLimits{}.max_body;
  net::AccessPolicy access;
};

int run_durable(const DurableOptions& options, const Context& context);

} // namespace cmd
