#pragma once
// Runs a Durable Streams command with a client for its stream, set up from the shared options.

#include "durable_options.hpp"
#include "http/httplib_transport.hpp"

namespace cmd {

template <typename Work>
int with_client(const ClientOptions& options, const Context& context, Work work)
{
  http::HttplibTransport transport;
  durable::RetryPolicy retry;
  retry.max_retries = options.max_retries;
  durable::Client client(transport,
                         durable_request(options.request, options.auth, stream_url(options.target)),
                         retry);
  trace_client(client, context);
  return work(client);
}

} // namespace cmd
