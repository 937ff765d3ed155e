#pragma once
// What a shell may offer at the cursor, worked out from the CLI11 option tree that parses the
// command line, so that no option is listed anywhere else (`sse __complete`, the completions).

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cmd {

/// One word to offer, with the one-line description a shell may show beside it.
struct Candidate {
  std::string word;
  std::string description;

  bool operator==(const Candidate&) const = default;
};

/// The answer for the word under the cursor: the shell's own completion of a kind of name,
/// or the words to offer (none for a free value: a URL, a TYPE, a DUR).
struct Completion {
  enum class Kind { words, files, directories, commands };
  Kind kind = Kind::words;
  /// With Kind::words only: the candidates that start with the word under the cursor.
  std::vector<Candidate> candidates;
};

/// What to offer for WORDS, the words of a command line after `sse`, the last one being the
/// word under the cursor (possibly empty): the visible subcommands; the options of the
/// subcommand and the global ones; an option's choices (its IsMember check) after
/// `--opt VALUE` or as `--opt=VALUE`; the subcommands after `sse help`; and files,
/// directories or commands where the value or positional is named FILE, DIR or COMMAND.
Completion complete(const CLI::App& app, const std::vector<std::string>& words);

/// The lines `sse __complete` prints for COMPLETION: a first line ":file", ":directory" or
/// ":command" asks the shell for its own completion of that kind; otherwise one candidate a
/// line, "WORD" or "WORD<TAB>DESCRIPTION".
std::string completion_lines(const Completion& completion);

/// The words of ARGV (not shielded) when it is `sse __complete WORD...`, read as they are.
std::optional<std::vector<std::string>> complete_request(int argc, const char* const* argv);

/// The choices an IsMember check allows for OPTION, in its order; empty without one.
std::vector<std::string> choices_of(const CLI::Option& option);

/// Whether OPTION takes the next word as its value (flags and `--apply[=MODE]` do not).
bool takes_value(const CLI::Option& option);

/// OPTION's names as typed: "-f", "--format".
std::vector<std::string> names_of(const CLI::Option& option);

} // namespace cmd
