// sse __meta: the visible subcommands and their options as JSON, read by the tests that keep
// --help, the man pages and `sse __complete` in step. Hidden (its entry in commands.cpp says so).

#include "commands.hpp"
#include "complete.hpp"
#include "exit_codes.hpp"

#include "json/value_type.hpp"

#include <iostream>

namespace cmd {
namespace {

::json::Value options_of(const CLI::App& app)
{
  ::json::Value options = ::json::Value::array();
  for (const CLI::Option* option : app.get_options()) {
    if (!option->nonpositional()) {
      continue;
    }
    options.push_back({{"names", names_of(*option)},
                       {"takes_value", takes_value(*option)},
                       {"choices", choices_of(*option)},
                       {"description", option->get_description()}});
  }
  return options;
}

::json::Value describe(const CLI::App& app)
{
  ::json::Value commands = ::json::Value::array();
  for (const CLI::App* sub : visible_subcommands(app)) {
    ::json::Value positionals = ::json::Value::array();
    for (const CLI::Option* option : sub->get_options()) {
      if (!option->nonpositional()) {
        positionals.push_back(option->get_name());
      }
    }
    const CommandEntry& entry = *find_command(sub->get_name());
    commands.push_back({{"name", entry.name},
                        {"summary", entry.summary},
                        {"usage", entry.usage},
                        {"options", options_of(*sub)},
                        {"positionals", positionals}});
  }
  return {{"name", app.get_name()},
          {"version", SSE_VERSION},
          {"options", options_of(app)},
          {"commands", commands}};
}

} // namespace

void register_meta(CLI::App& app, Context& context)
{
  auto* sub = app.add_subcommand("__meta");
  sub->callback([&app, &context] {
    context.run = [&app] {
      std::cout << describe(app).dump(2) << '\n';
      return static_cast<int>(k_exit_ok);
    };
  });
}

} // namespace cmd
