#include "commands.hpp"

#include "util/spelling.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace cmd {
namespace {

constexpr CommandEntry k_commands[] = {
  {"tail", "Follow an event stream, reconnecting like a browser", "sse tail [OPTIONS] URL", false,
   register_tail},
  {"parse", "Parse event-stream bytes into events (NDJSON when piped)", "sse parse [OPTIONS] [FILE...]",
   false, register_parse},
  {"format", "Write NDJSON events (or lines) as event-stream text", "sse format [OPTIONS] [FILE...]",
   false, register_format},
  {"patch", "Fold state events (snapshots, JSON patches, keyed or Durable State changes) into state",
   "sse patch [OPTIONS] [FILE...]", false, register_patch},
  {"replay", "Play recorded events back with their timing", "sse replay [OPTIONS] [FILE...]", false,
   register_replay},
  {"serve", "Serve an event stream on localhost", "sse serve [OPTIONS]",
   false, register_serve},
  {"append", "Append messages to a Durable Streams stream", "sse append [OPTIONS] STREAM DATA...",
   false, register_append},
  {"create", "Create a Durable Streams stream", "sse create [OPTIONS] STREAM", false, register_create},
  {"close", "Close a Durable Streams stream; prints its final offset", "sse close [OPTIONS] STREAM",
   false, register_close},
  {"delete", "Delete a Durable Streams stream", "sse delete [OPTIONS] STREAM", false, register_delete},
  {"info", "Print a Durable Streams stream's metadata as JSON", "sse info [OPTIONS] STREAM", false,
   register_info},
  {"help", "Print help for sse or for one subcommand", "sse help [SUBCOMMAND]", false, register_help},
  {"__meta", "The command-line interface as JSON", "sse __meta", true, register_meta},
  {"__complete", "What a shell may offer at the cursor, one candidate a line",
   "sse __complete WORD...", true, register_complete},
};

// The usage line of a subcommand's help comes from its entry; sse's own is CLI11's.
class TableFormatter : public CLI::Formatter {
public:
  std::string make_usage(const CLI::App* app, std::string name) const override
  {
    const CommandEntry* entry = app->get_parent() == nullptr ? nullptr : find_command(app->get_name());
    if (entry == nullptr) {
      return CLI::Formatter::make_usage(app, std::move(name));
    }
    return get_label("Usage") + ": " + entry->usage + "\n";
  }
};

// A byte no command line carries in practice, put before an argument to hide its brackets.
constexpr char k_shield = '\x1e';

std::string unshield(std::string value)
{
  if (!value.empty() && value.front() == k_shield) {
    value.erase(0, 1);
  }
  return value;
}

// Puts back what shielded_arguments hid, on every option of APP and its subcommands.
void unshield_options(CLI::App& app)
{
  for (CLI::Option* option : app.get_options()) {
    if (option->get_expected_max() > 0) {
      option->transform(unshield, "", "unshield");
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

const CommandEntry* find_command(std::string_view name)
{
  for (const auto& command : commands()) {
    if (name == command.name) {
      return &command;
    }
  }
  return nullptr;
}

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app)
{
  std::vector<const CLI::App*> visible;
  for (const auto& command : commands()) {
    if (command.hidden) {
      continue;
    }
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == command.name) {
        visible.push_back(sub);
      }
    }
  }
  return visible;
}

std::vector<std::string> unshielded(std::vector<std::string> words)
{
  for (auto& word : words) {
    word = unshield(std::move(word));
  }
  return words;
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
    if (find_command(arg) != nullptr) {
      return std::nullopt;
    }
    return unknown_subcommand_message(arg);
  }
  return std::nullopt;
}

std::string unknown_subcommand_message(std::string_view word)
{
  std::vector<std::string_view> names;
  for (const auto& command : commands()) {
    if (!command.hidden) {
      names.emplace_back(command.name);
    }
  }
  std::string message = "unknown subcommand '" + std::string(word) + "'";
  if (const auto suggestion = util::closest(word, names)) {
    message += "; did you mean '" + *suggestion + "'?";
  }
  return message;
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
  // Set before the subcommands are added: each takes a copy of its parent's formatter.
  app.formatter(std::make_shared<TableFormatter>());
  for (const auto& command : commands()) {
    command.register_fn(app, context);
    CLI::App* sub = app.get_subcommand(command.name);
    sub->description(command.summary);
    if (command.hidden) {
      sub->group(""); // how CLI11 leaves a subcommand out of --help
    }
  }
  unshield_options(app);
}

} // namespace cmd
