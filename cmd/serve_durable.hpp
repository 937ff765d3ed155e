#pragma once
// sse serve --durable: a Durable Streams server on the loop and HTTP core that serve uses.

#include "context.hpp"

#include "net/access.hpp"

#include <cstdint>
#include <string>

namespace cmd {

struct DurableOptions {
  std::string host;
  std::uint16_t port = 4437;
  std::string data_dir = "sse-data";
  bool memory = false;
  bool repair = false; ///< cut damaged streams back at start (DiskStoreOptions::repair)
  std::string long_poll_timeout = "30s";
  std::string token;
  std::string max_body = "64MiB";
  net::AccessPolicy access;
};

int run_durable(const DurableOptions& options, const Context& context);

} // namespace cmd
