#include "shared_options.hpp"

#include "typed_options.hpp"

#include <iterator>

namespace cmd {

CLI::Option* add_input_files(CLI::App& sub, std::vector<std::string>& files, const std::string& help)
{
  return sub.add_option("FILE", files, help)->option_text("...");
}

CLI::Option* add_format_option(CLI::App& sub, std::optional<Format>& format, bool with_raw)
{
  const std::vector<std::string> names(std::begin(k_format_names), std::end(k_format_names));
  const std::size_t listed = with_raw ? names.size() : names.size() - 1; // raw is the last
  std::string help = "Output: ";
  for (std::size_t i = 0; i < listed; ++i) {
    help += i == 0 ? "" : i + 1 == listed ? " or " : ", ";
    help += names[i];
  }
  help += " (default: pretty on a terminal, json otherwise)";
  // Format's values are in the order of k_format_names.
  return add_name_option(sub, "-f,--format", names,
                         [&format](std::size_t i) { format = static_cast<Format>(i); }, help)
    ->option_text("FORMAT");
}

CLI::Option* add_json_data_flag(CLI::App& sub, bool& json_data)
{
  return sub.add_flag("--json-data", json_data, "Embed data that is valid JSON as JSON (json, pretty)");
}

CLI::Option* add_event_option(CLI::App& sub, std::vector<std::string>& events)
{
  return sub.add_option("--event", events, "Print only events of TYPE (repeatable)")
    ->allow_extra_args(false) // one TYPE per --event: the next word is the URL or a FILE
    ->option_text("TYPE");
}

CLI::Option* add_max_events_option(CLI::App& sub, std::uint64_t& max_events)
{
  return sub.add_option("-n,--max-events", max_events, "Stop after printing N events")
    ->option_text("N")
    ->check(CLI::PositiveNumber);
}

CLI::Option* add_max_event_size_option(CLI::App& sub, std::uint64_t& value)
{
  return add_size_option(sub, "--max-event-size", value, "Largest event or line accepted");
}

} // namespace cmd
