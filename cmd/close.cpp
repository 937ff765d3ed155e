// sse close URL: close a Durable Streams stream for good; readers then see its end.

#include "commands.hpp"
#include "durable_client.hpp"
#include "exit_codes.hpp"

#include <iostream>

namespace cmd {

void register_close(CLI::App& app, Context& context)
{
  auto* sub = app.add_subcommand("close");
  add_client_run(*sub, context, [](durable::Client& client) {
    std::cout << client.close().next_offset << std::endl;
    return k_exit_ok;
  });
}

} // namespace cmd
