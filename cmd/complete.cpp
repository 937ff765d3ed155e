// sse __complete WORD...: what a shell may offer at the cursor. The completions in
// completions/ are thin wrappers around it, so an option is written once, where it is parsed.
// Output (completion_lines), one line each:
//   :file, :directory or :command, alone  complete a file name, directory or command here
//   WORD or WORD<TAB>DESCRIPTION           a candidate, already matching the word at the cursor
//   nothing                                a free value (URL, TYPE, DUR): nothing to offer
// A candidate for "--opt=PREFIX" is the whole word, "--opt=VALUE".

#include "complete.hpp"

#include "commands.hpp"
#include "exit_codes.hpp"

#include <cctype>
#include <iostream>
#include <optional>

namespace cmd {
namespace {

bool starts_with(std::string_view word, std::string_view prefix)
{
  return word.substr(0, prefix.size()) == prefix;
}

// An option as it is typed, "-f" or "--format", found in the subcommand, else among the
// global options (which work after the subcommand too).
const CLI::Option* find_option(const CLI::App& app, const CLI::App* sub, std::string_view typed)
{
  for (const CLI::App* scope : {sub, &app}) {
    if (scope == nullptr) {
      continue;
    }
    for (const CLI::Option* option : scope->get_options()) {
      for (const auto& name : names_of(*option)) {
        if (name == typed) {
          return option;
        }
      }
    }
  }
  return nullptr;
}

// The name a value or positional goes by: its option text ("FILE") or, for a positional
// without one, its own name.
std::string value_name(const CLI::Option& option)
{
  std::string text = option.get_option_text();
  const bool is_name = !text.empty() && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == text.npos;
  if (!is_name && !option.nonpositional()) {
    text = option.get_name();
  }
  for (char& c : text) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

void add_matching(Completion& completion, std::string_view prefix, const std::string& word,
                  const std::string& description)
{
  if (!starts_with(word, prefix)) {
    return;
  }
  for (const auto& candidate : completion.candidates) {
    if (candidate.word == word) {
      return; // -h, --help: the subcommand's and the global one are the same to the user
    }
  }
  completion.candidates.push_back({word, description});
}

Completion subcommands_matching(const CLI::App& app, std::string_view prefix)
{
  Completion completion;
  for (const CLI::App* sub : visible_subcommands(app)) {
    add_matching(completion, prefix, sub->get_name(), sub->get_description());
  }
  return completion;
}

Completion options_matching(const CLI::App& app, const CLI::App* sub, std::string_view prefix)
{
  Completion completion;
  for (const CLI::App* scope : {&app, sub}) {
    if (scope == nullptr) {
      continue;
    }
    for (const CLI::Option* option : scope->get_options()) {
      if (!option->nonpositional() || option->get_group().empty()) {
        continue; // positionals and hidden options
      }
      for (const auto& name : names_of(*option)) {
        add_matching(completion, prefix, name, option->get_description());
      }
    }
  }
  return completion;
}

// The values of OPTION (or positional) that start with PREFIX; INDEX counts the words it has
// already been given, for COMMAND, whose first word is a command and the rest its arguments.
Completion values_of(const CLI::App& app, const CLI::Option& option, std::string_view prefix,
                     std::size_t index = 0)
{
  Completion completion;
  const auto choices = choices_of(option);
  if (!choices.empty()) {
    for (const auto& choice : choices) {
      add_matching(completion, prefix, choice, "");
    }
    return completion;
  }
  const std::string name = value_name(option);
  if (name == "SUBCOMMAND") {
    return subcommands_matching(app, prefix);
  }
  if (name == "FILE" || (name == "COMMAND" && index > 0)) {
    completion.kind = Completion::Kind::files;
  } else if (name == "DIR") {
    completion.kind = Completion::Kind::directories;
  } else if (name == "COMMAND") {
    completion.kind = Completion::Kind::commands;
  }
  return completion;
}

// The positional of SUB that the next positional word fills, after COUNT of them.
Completion positional_values(const CLI::App& app, const CLI::App& sub, std::size_t count,
                             std::string_view prefix)
{
  for (const CLI::Option* option : sub.get_options()) {
    if (option->nonpositional()) {
      continue;
    }
    const auto capacity = static_cast<std::size_t>(option->get_items_expected_max());
    if (count < capacity) {
      return values_of(app, *option, prefix, count);
    }
    count -= capacity;
  }
  return {}; // nothing more is taken
}

} // namespace

std::vector<std::string> choices_of(const CLI::Option& option)
{
  // CLI11 shows an IsMember check as "TEXT:{a,b,c}" in the type name; the braces hold them.
  std::vector<std::string> choices;
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

bool takes_value(const CLI::Option& option)
{
  return option.get_items_expected_max() > 0;
}

std::vector<std::string> names_of(const CLI::Option& option)
{
  std::vector<std::string> names;
  for (const auto& name : option.get_snames()) {
    names.push_back("-" + name);
  }
  for (const auto& name : option.get_lnames()) {
    names.push_back("--" + name);
  }
  return names;
}

Completion complete(const CLI::App& app, const std::vector<std::string>& words)
{
  const std::string current = words.empty() ? "" : words.back();
  const CLI::App* sub = nullptr;
  const CLI::Option* value_for = nullptr; // the option whose value the next word is
  bool only_positionals = false;          // after "--"
  std::size_t positionals = 0;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& word = words[i];
    if (value_for != nullptr) {
      value_for = nullptr;
    } else if (!only_positionals && word == "--") {
      only_positionals = true;
    } else if (!only_positionals && word.size() > 1 && word.front() == '-') {
      // "--opt=VALUE" and "-fVALUE" carry their value; "-f VALUE" and "--opt VALUE" do not.
      const bool is_long = starts_with(word, "--");
      const std::string name = is_long ? word.substr(0, word.find('=')) : word.substr(0, 2);
      const CLI::Option* option = find_option(app, sub, name);
      const bool joined = is_long ? name.size() < word.size() : word.size() > 2;
      if (option != nullptr && takes_value(*option) && !joined) {
        value_for = option;
      }
    } else if (sub == nullptr) {
      for (const CLI::App* candidate : app.get_subcommands({})) {
        if (candidate->get_name() == word) {
          sub = candidate;
        }
      }
      if (sub == nullptr) {
        return {}; // not a command line sse would run
      }
    } else {
      ++positionals;
    }
  }

  if (value_for != nullptr) {
    return values_of(app, *value_for, current);
  }
  if (!only_positionals && starts_with(current, "--") && current.find('=') != current.npos) {
    const std::string name = current.substr(0, current.find('='));
    const CLI::Option* option = find_option(app, sub, name);
    if (option == nullptr || !takes_value(*option)) {
      return {};
    }
    Completion completion = values_of(app, *option, current.substr(name.size() + 1));
    for (auto& candidate : completion.candidates) {
      candidate.word = name + "=" + candidate.word;
    }
    return completion;
  }
  if (!only_positionals && starts_with(current, "-")) {
    return options_matching(app, sub, current);
  }
  if (sub == nullptr) {
    return subcommands_matching(app, current);
  }
  return positional_values(app, *sub, positionals, current);
}

std::string completion_lines(const Completion& completion)
{
  switch (completion.kind) {
  case Completion::Kind::files:
    return ":file\n";
  case Completion::Kind::directories:
    return ":directory\n";
  case Completion::Kind::commands:
    return ":command\n";
  case Completion::Kind::words:
    break;
  }
  std::string lines;
  for (const auto& candidate : completion.candidates) {
    lines += candidate.word;
    if (!candidate.description.empty()) {
      lines += '\t' + candidate.description;
    }
    lines += '\n';
  }
  return lines;
}

std::optional<std::vector<std::string>> complete_request(int argc, const char* const* argv)
{
  if (argc < 2 || std::string_view(argv[1]) != "__complete") {
    return std::nullopt;
  }
  return std::vector<std::string>(argv + 2, argv + argc);
}

void register_complete(CLI::App& app, Context& context)
{
  // main hands `sse __complete WORD...` to complete() before CLI11 parses anything, as CLI11
  // would take a "--" among the words for its own. This path is for `sse -v __complete ...`:
  // every option after __complete is kept as a word, and prefix_command keeps the rest.
  auto* sub = app.add_subcommand("__complete");
  sub->set_help_flag();
  sub->fallthrough(false);
  sub->allow_extras();
  sub->prefix_command();
  sub->callback([&app, sub, &context] {
    context.run = [&app, words = unshielded(sub->remaining())] {
      std::cout << completion_lines(complete(app, words));
      return static_cast<int>(k_exit_ok);
    };
  });
}

} // namespace cmd
