#include "commands.hpp"

#include "util/spelling.hpp"
#include "util/units.hpp"

#include <string_view>
#include <vector>

namespace cmd {
namespace {

constexpr CommandEntry k_commands[] = {
  {"tail", register_tail},
  {"parse", register_parse},
  {"format", register_format},
  {"patch", register_patch},
  {"replay", register_replay},
  {"serve", register_serve},
  {"append", register_append},
  {"create", register_create},
  {"close", register_close},
  {"delete", register_delete},
  {"info", register_info},
  {"help", register_help},
  {"__meta", register_meta},
};

// A byte no command line carries in practice, put before an argument to hide its brackets.
constexpr char k_shield = '\x1e';

// Puts back what shielded_arguments hid, on every option of APP and its subcommands.
void unshield_options(CLI::App& app)
{
  for (CLI::Option* option : app.get_options()) {
    if (option->get_expected_max() > 0) {
      option->transform(
        [](std::string value) {
          if (!value.empty() && value.front() == k_shield) {
            value.erase(0, 1);
          }
          return value;
        },
        "", "unshield");
    }
  }
  for (CLI::App* sub : app.get_subcommands({})) {
    unshield_options(*sub);
  }
}

} // namespace

std::vector<std::string> shielded_arguments(int argc, const char* const* argv)
{
  std::vector<std::string> args;
  for (int i = argc - 1; i > 0; --i) {
    std::string arg = argv[i];
    if (arg.size() >= 2 && arg.front() == '[' && arg.back() == ']') {
      arg.insert(arg.begin(), k_shield);
    }
    args.push_back(std::move(arg));
  }
  return args;
}

std::span<const CommandEntry> commands()
{
  return k_commands;
}

std::optional<std::string> unknown_subcommand(const CLI::App& app, int argc, const char* const* argv)
{
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--" || arg.empty()) {
      return std::nullopt;
    }
    if (arg.front() == '-') {
      // A global option's value is not the subcommand: `sse --color never tail`.
      const CLI::Option* option = app.get_option_no_throw(std::string(arg));
      if (option != nullptr && option->get_expected_max() > 0 && arg.find('=') == arg.npos) {
        ++i;
      }
      continue;
    }
    for (const auto& command : commands()) {
      if (arg == command.name) {
        return std::nullopt;
      }
    }
    return unknown_subcommand_message(arg);
  }
  return std::nullopt;
}

std::string unknown_subcommand_message(std::string_view word)
{
  std::vector<std::string_view> names;
  for (const auto& command : commands()) {
    if (command.name[0] != '_') {
      names.emplace_back(command.name); // hidden ones are not suggested
    }
  }
  std::string message = "unknown subcommand '" + std::string(word) + "'";
  if (const auto suggestion = util::closest(word, names)) {
    message += "; did you mean '" + *suggestion + "'?";
  }
  return message;
}

std::string check_size(const std::string& value)
{
  if (util::parse_size(value)) {
    return {};
  }
  return "'" + value + "' is not a size (a whole number with an optional unit: B, K or KB, KiB, "
         "M or MB, MiB, G or GB, GiB)";
}

void configure_app(CLI::App& app, Context& context)
{
  app.set_version_flag("--version", std::string("sse ") + SSE_VERSION,
                       "Print the version and exit");
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_flag("-v,--verbose", context.verbosity, "Print diagnostics on stderr (repeatable)");
  app.add_option("--color", context.color, "Colour the output: auto, always or never")
    ->check(CLI::IsMember({"auto", "always", "never"}))
    ->option_text("WHEN");
  app.require_subcommand(1);
  // Global options work after the subcommand too: `sse parse --color never`.
  app.fallthrough();
  app.footer("Run 'sse help SUBCOMMAND' for a subcommand's options, 'man sse' for details.\n"
             "Exit status: 0 ok, 1 failure, 2 usage, 3 bad input, 4 HTTP error, 124 timeout, "
             "130 interrupted.");
  for (const auto& command : commands()) {
    command.register_fn(app, context);
  }
  unshield_options(app);
}

} // namespace cmd
