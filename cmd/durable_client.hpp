#pragma once
// Runs a Durable Streams command with a client for its stream, set up from the shared options.

#include "durable_options.hpp"
#include "http/httplib_transport.hpp"

#include <memory>

namespace cmd {

template <typename Work>
int with_client(const ClientOptions& options, const Context& context, Work work)
{
  http::HttplibTransport transport;
  durable::RetryPolicy retry;
  retry.max_retries = options.max_retries;
  durable::Client client(transport,
                         durable_request(options.request, options.auth, options.target.parsed),
                         retry);
  trace_client(client, context);
  return work(client);
}

/// Gives SUB the shared Durable Streams options and, as its run, WORK on a client for the
/// stream: the whole of a command that takes nothing else (close, delete, info).
template <typename Work>
void add_client_run(CLI::App& sub, Context& context, Work work)
{
  auto options = std::make_shared<ClientOptions>();
  add_durable_options(sub, *options);
  sub.callback([options, &context, work] {
    context.run = [options, &context, work] { return with_client(*options, context, work); };
  });
}

} // namespace cmd
