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
  std::string content_type = "application/octet-stream";
  bool json = false;
  std::optional<std::string> ttl;
  std::optional<std::string> expires_at;
  bool closed = false;
};

} // namespace

void register_create(CLI::App& app, Context& context)
{
  auto options = std::make_shared<CreateOptions>();
  auto* sub = app.add_subcommand("create", "Create a Durable Streams stream");
  add_durable_options(*sub, options->stream);
  const char* stream = "Stream";
  auto* type = sub->add_option("--content-type", options->content_type,
                               "The stream's content type (default application/octet-stream)")
                 ->option_text("TYPE")
                 ->group(stream);
  sub->add_flag("--json", options->json, "Same as --content-type application/json")
    ->excludes(type)
    ->group(stream);
  add_lifetime_options(*sub, options->ttl, options->expires_at, stream);
  sub->add_flag("--closed", options->closed, "Create it closed (empty for good)")->group(stream);
  sub->callback([options, &context] {
    context.run = [options, &context] {
      return with_client(options->stream, context, [&](durable::Client& client) {
        durable::CreateRequest create;
        create.content_type = options->json ? "application/json" : options->content_type;
        create.ttl = options->ttl;
        create.expires_at = options->expires_at;
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
