#pragma once
// Options that become typed values where they are parsed: durations, sizes, URLs and names
// from a fixed list are checked while CLI11 reads the command line, so a bad value is a usage
// error (exit 2) before anything runs, and the run receives milliseconds, bytes, a URL or an
// enum. The syntax accepted is util's (parse_duration, parse_size) and http's (parse_url); a
// default shown in the help is the bound value itself, written back in that syntax.

#include "http/url.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cmd {

/// Validates a duration option value ("500ms", "15s", "2m").
std::string check_duration(const std::string& value);

/// Validates a size option value ("16MiB"); the message names the accepted units.
std::string check_size(const std::string& value);

/// NAME DUR into VALUE; the help is WHAT followed by VALUE as it is now ("(default 30s)").
CLI::Option* add_duration_option(CLI::App& sub, const std::string& name,
                                 std::chrono::milliseconds& value, const std::string& what);

/// NAME DUR into VALUE, which stays empty unless it is given; the help is WHAT.
CLI::Option* add_duration_option(CLI::App& sub, const std::string& name,
                                 std::optional<std::chrono::milliseconds>& value,
                                 const std::string& what);

/// NAME SIZE into VALUE in bytes; the help is WHAT followed by VALUE as it is now
/// ("(default 16MiB)").
CLI::Option* add_size_option(CLI::App& sub, const std::string& name, std::uint64_t& value,
                             const std::string& what);

/// What is wrong with a parsed URL for one option ("only http:// proxies..."), or nothing.
using UrlRule = std::function<std::string(const http::Url&)>;

/// NAME URL into VALUE: an absolute http(s) URL that RULE, if given, also accepts.
CLI::Option* add_url_option(CLI::App& sub, const std::string& name, std::optional<http::Url>& value,
                            const std::string& what, UrlRule rule = {});

/// TEXT as a URL, or the message saying why it is not one.
std::string check_url(const std::string& text);

/// One name an enum option accepts, and its value.
template <typename Enum>
struct Choice {
  const char* name;
  Enum value;
};

/// NAME with one of NAMES; CHOSEN receives the index of the one given. The check is CLI11's
/// IsMember, whose list `sse __meta` shows as the option's choices.
CLI::Option* add_name_option(CLI::App& sub, const std::string& name,
                             const std::vector<std::string>& names,
                             std::function<void(std::size_t)> chosen, const std::string& what);

/// NAME with one of CHOICES' names, into VALUE.
template <typename Enum, typename Value>
CLI::Option* add_choice_option(CLI::App& sub, const std::string& name, Value& value,
                               std::span<const Choice<Enum>> choices, const std::string& what)
{
  std::vector<std::string> names;
  for (const auto& choice : choices) {
    names.emplace_back(choice.name);
  }
  return add_name_option(sub, name, names, [&value, choices](std::size_t i) { value = choices[i].value; },
                         what);
}

} // namespace cmd
