#pragma once
// The table of subcommands, as ninja's kTools[] and tmux's cmd_table[]: each command's name,
// summary, usage line and visibility live here once, and --help, `sse help`, `sse __meta`,
// `sse __complete` and the unknown-subcommand suggestion all read them from here.

#include "context.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cmd {

struct CommandEntry {
  const char* name;
  /// One line, for --help's list, `sse help`, __meta and the completions' descriptions.
  const char* summary;
  /// The usage line of `sse NAME --help`: "sse tail [OPTIONS] URL".
  const char* usage;
  /// Hidden commands are for the tools around sse (the completions, the tests): left out of
  /// --help, `sse help`, __meta, the completions and the spelling suggestions.
  bool hidden;
  /// Adds the subcommand NAME to the app with its options and its run; configure_app gives
  /// it its summary and usage from this entry.
  void (*register_fn)(CLI::App& app, Context& context);
};

void register_parse(CLI::App& app, Context& context);
void register_tail(CLI::App& app, Context& context);
void register_format(CLI::App& app, Context& context);
void register_patch(CLI::App& app, Context& context);
void register_replay(CLI::App& app, Context& context);
void register_serve(CLI::App& app, Context& context);
void register_append(CLI::App& app, Context& context);
void register_create(CLI::App& app, Context& context);
void register_close(CLI::App& app, Context& context);
void register_delete(CLI::App& app, Context& context);
void register_info(CLI::App& app, Context& context);
void register_help(CLI::App& app, Context& context);
void register_meta(CLI::App& app, Context& context);
void register_complete(CLI::App& app, Context& context);

/// Every subcommand, in the order `sse --help` lists them.
std::span<const CommandEntry> commands();

/// The entry of the subcommand NAME, hidden or not; nullptr when there is none.
const CommandEntry* find_command(std::string_view name);

/// The subcommands of APP that the table does not hide, in the table's order.
std::vector<const CLI::App*> visible_subcommands(const CLI::App& app);

/// Sets up APP with the global options and every subcommand bound to CONTEXT.
void configure_app(CLI::App& app, Context& context);

/// The arguments of ARGV for App::parse (reversed, without the program name), with every
/// "[...]" argument shielded: CLI11 would take it for its own list syntax and split a JSON
/// array such as `sse append URL '[1,2]'` at its commas. configure_app unshields the values.
std::vector<std::string> shielded_arguments(int argc, const char* const* argv);

/// WORDS with what shielded_arguments hid put back, for a command that reads raw arguments.
std::vector<std::string> unshielded(std::vector<std::string> words);

/// When the command line names no subcommand where one must stand (the first argument that
/// is not a global option or its value), the message for it: "unknown subcommand 'tial'; did
/// you mean 'tail'?" (the suggestion when a subcommand is close). Nothing when it is fine or
/// when CLI11 is to report what is wrong.
std::optional<std::string> unknown_subcommand(const CLI::App& app, int argc, const char* const* argv);

/// "unknown subcommand 'WORD'", with "; did you mean 'NAME'?" when a subcommand is close.
std::string unknown_subcommand_message(std::string_view word);

} // namespace cmd
