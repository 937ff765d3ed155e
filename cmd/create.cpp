// sse create URL: create a Durable Streams stream (PUT). Creating it again with the same
// configuration succeeds; with another, the server's 409 is exit 4.

#include "commands.hpp"
#include "durable_client.hpp"
#include "exit_codes.hpp"

#include <iostream>

namespace cmd {
namespace {

struct CreateOptions {
  ClientOptions stream;
  StreamSettings settings;
  bool closed = false;
};

} // namespace

void register_create(CLI::App& app, Context& context)
{
  auto options = std::make_shared<CreateOptions>();
  auto* sub = app.add_subcommand("create");
  add_durable_options(*sub, options->stream);
  const char* stream = "Stream";
  add_stream_settings(*sub, options->settings,
                      "The stream's content type (default application/octet-stream)", stream);
  sub->add_flag("--closed", options->closed, "Create it closed (empty for good)")->group(stream);
  sub->callback([options, &context] {
    context.run = [options, &context] {
      return with_client(options->stream, context, [&](durable::Client& client) {
        durable::CreateRequest create = options->settings.create_request();
        create.closed = options->closed;
        const auto result = client.create(create);
        if (context.verbosity > 0) {
          std::cerr << "sse: " << (result.created ? "created" : "already exists with this configuration")
                    << " (" << client.url() << ")" << std::endl;
        }
        std::cout << result.next_offset << std::endl;
        return k_exit_ok;
      });
    };
  });
}

} // namespace cmd
