// sse delete URL: delete a Durable Streams stream.

#include "commands.hpp"
#include "durable_client.hpp"
#include "exit_codes.hpp"

namespace cmd {

void register_delete(CLI::App& app, Context& context)
{
  auto options = std::make_shared<ClientOptions>();
  auto* sub = app.add_subcommand("delete");
  add_durable_options(*sub, *options);
  sub->callback([options, &context] {
    context.run = [options, &context] {
      return with_client(*options, context, [](durable::Client& client) {
        client.remove();
        return k_exit_ok;
      });
    };
  });
}

} // namespace cmd
