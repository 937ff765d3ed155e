// sse help [SUBCOMMAND]: the same text as `sse SUBCOMMAND --help`, for those who type it first.

#include "commands.hpp"
#include "exit_codes.hpp"

#include <iostream>
#include <memory>

namespace cmd {

void register_help(CLI::App& app, Context& context)
{
  auto name = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("help");
  sub->add_option("subcommand", *name, "The subcommand to describe")->option_text("SUBCOMMAND");
  sub->callback([&app, name, &context] {
    context.run = [&app, name] {
      if (name->empty()) {
        // app.help() would describe the selected subcommand, which is this one.
        std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
        return static_cast<int>(k_exit_ok);
      }
      for (const auto* sub_app : visible_subcommands(app)) {
        if (sub_app->get_name() == *name) {
          std::cout << sub_app->help(app.get_name());
          return static_cast<int>(k_exit_ok);
        }
      }
      throw util::Error(util::Errc::usage, unknown_subcommand_message(*name), "run 'sse --help'");
    };
  });
}

} // namespace cmd
