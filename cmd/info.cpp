// sse info URL: a Durable Streams stream's metadata (HEAD) as one JSON object.

#include "commands.hpp"
#include "durable_client.hpp"
#include "exit_codes.hpp"
#include "durable/protocol/rules.hpp"

#include "json/value_type.hpp"

#include <iostream>

namespace cmd {

void register_info(CLI::App& app, Context& context)
{
  auto* sub = app.add_subcommand("info");
  add_client_run(*sub, context, [](durable::Client& client) {
    const auto info = client.info();
    ::json::Value out;
    out["url"] = client.url();
    out["content_type"] = info.content_type;
    out["next_offset"] = info.next_offset;
    out["closed"] = info.closed;
    out["ttl"] = nullptr;
    if (info.ttl) {
      const auto seconds = durable::parse_ttl(*info.ttl);
      out["ttl"] = seconds ? ::json::Value(*seconds) : ::json::Value(*info.ttl);
    }
    out["expires_at"] = info.expires_at ? ::json::Value(*info.expires_at) : nullptr;
    std::cout << out.dump(-1, ' ', false, ::json::Value::error_handler_t::replace) << std::endl;
    return k_exit_ok;
  });
}

} // namespace cmd
