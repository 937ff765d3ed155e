// sse __meta: the subcommands and their options as JSON, read by the completions and by the
// tests that keep --help, the man pages and the completions in step. Hidden from --help.

#include "commands.hpp"
#include "exit_codes.hpp"

#include "json/value_type.hpp"

#include <iostream>

namespace cmd {
namespace {

// CLI11 shows an IsMember check as "TEXT:{a,b,c}" in the type name; the braces hold the choices.
::json::Value choices_of(const CLI::Option& option)
{
  ::json::Value choices = ::json::Value::array();
  const std::string type = option.get_type_name();
  const auto open = type.find('{');
  const auto close = type.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return choices;
  }
  std::string item;
  for (char c : type.substr(open + 1, close - open - 1)) {
    if (c == ',') {
      choices.push_back(item);
      item.clear();
    } else {
      item.push_back(c);
    }
  }
  choices.push_back(item);
  return choices;
}

::json::Value options_of(const CLI::App& app)
{
  ::json::Value options = ::json::Value::array();
  for (const CLI::Option* option : app.get_options()) {
    if (!option->nonpositional()) {
      continue;
    }
    ::json::Value names = ::json::Value::array();
    for (const auto& name : option->get_snames()) {
      names.push_back("-" + name);
    }
    for (const auto& name : option->get_lnames()) {
      names.push_back("--" + name);
    }
    options.push_back({{"names", names},
                       {"takes_value", option->get_items_expected_max() > 0},
                       {"choices", choices_of(*option)},
                       {"description", option->get_description()}});
  }
  return options;
}

::json::Value describe(const CLI::App& app)
{
  ::json::Value commands = ::json::Value::array();
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_group().empty()) {
      continue; // hidden, like this one
    }
    ::json::Value positionals = ::json::Value::array();
    for (const CLI::Option* option : sub->get_options()) {
      if (!option->nonpositional()) {
        positionals.push_back(option->get_name());
      }
    }
    commands.push_back({{"name", sub->get_name()},
                        {"summary", sub->get_description()},
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
  auto* sub = app.add_subcommand("__meta", "The command-line interface as JSON");
  sub->group("");
  sub->callback([&app, &context] {
    context.run = [&app] {
      std::cout << describe(app).dump(2) << '\n';
      return static_cast<int>(k_exit_ok);
    };
  });
}

} // namespace cmd
