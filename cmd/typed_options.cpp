#include "typed_options.hpp"

#include "commands.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

namespace cmd {

std::string check_duration(const std::string& value)
{
  if (util::parse_duration(value)) {
    return {};
  }
  return "'" + value + "' is not a duration (a number with ms, s, m or h, e.g. 500ms, 15s, 2m)";
}

std::string check_size(const std::string& value)
{
  if (util::parse_size(value)) {
    return {};
  }
  return "'" + value + "' is not a size (a whole number with an optional unit: B, K or KB, KiB, "
         "M or MB, MiB, G or GB, GiB)";
}

std::string check_url(const std::string& text)
{
  try {
    http::parse_url(text);
  } catch (const util::Error& e) {
    return e.what() + std::string(" (") + e.where() + ")";
  }
  return {};
}

namespace {

// NAME TEXT into VALUE: CHECK says what is wrong with a value; the checks run before the
// function, so PARSE is handed only values that passed.
template <typename Value, typename Parse>
CLI::Option* add_parsed_option(CLI::App& sub, const std::string& name, Value& value,
                               const std::string& help, Parse parse,
                               std::string (*check)(const std::string&), const char* text)
{
  return sub
    .add_option_function<std::string>(
      name, [&value, parse](const std::string& given) { value = *parse(given); }, help)
    ->check(check, text)
    ->option_text(text);
}

} // namespace

CLI::Option* add_duration_option(CLI::App& sub, const std::string& name,
                                 std::chrono::milliseconds& value, const std::string& what)
{
  return add_parsed_option(sub, name, value, what + " (default " + util::format_duration(value) + ")",
                           util::parse_duration, check_duration, "DUR");
}

CLI::Option* add_duration_option(CLI::App& sub, const std::string& name,
                                 std::optional<std::chrono::milliseconds>& value,
                                 const std::string& what)
{
  return add_parsed_option(sub, name, value, what, util::parse_duration, check_duration, "DUR");
}

CLI::Option* add_size_option(CLI::App& sub, const std::string& name, std::uint64_t& value,
                             const std::string& what)
{
  return add_parsed_option(sub, name, value, what + " (default " + util::format_size(value) + ")",
                           util::parse_size, check_size, "SIZE");
}

CLI::Option* add_url_option(CLI::App& sub, const std::string& name, std::optional<http::Url>& value,
                            const std::string& what, UrlRule rule)
{
  return sub
    .add_option_function<std::string>(
      name, [&value](const std::string& text) { value = http::parse_url(text); }, what)
    ->check(
      [rule](const std::string& text) {
        if (auto problem = check_url(text); !problem.empty() || !rule) {
          return problem;
        }
        return rule(http::parse_url(text));
      },
      "URL")
    ->option_text("URL");
}

CLI::Option* add_name_option(CLI::App& sub, const std::string& name,
                             const std::vector<std::string>& names,
                             std::function<void(std::size_t)> chosen, const std::string& what)
{
  return sub
    .add_option_function<std::string>(
      name,
      [names, chosen](const std::string& text) {
        chosen(static_cast<std::size_t>(std::find(names.begin(), names.end(), text) - names.begin()));
      },
      what)
    ->check(CLI::IsMember(names));
}

} // namespace cmd
