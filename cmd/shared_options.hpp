#pragma once
// The options several commands share, declared once so that their names, checks, defaults
// and --help text are the same wherever they appear. The caller binds them to its own options
// struct and puts them in the help group its man page lists them under.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace cmd {

/// The largest event or input line the readers accept unless --max-event-size says otherwise.
inline constexpr const char* k_default_max_event_size = "16MiB";

/// FILE...: the inputs of a command that reads files or stdin, in order.
CLI::Option* add_input_files(CLI::App& sub, std::vector<std::string>& files, const std::string& help);

/// -f, --format FORMAT. Without WITH_RAW the help leaves raw out, but raw still passes the
/// check, so that the command can say why it has no raw output.
CLI::Option* add_format_option(CLI::App& sub, std::string& format, bool with_raw = true);

/// --json-data.
CLI::Option* add_json_data_flag(CLI::App& sub, bool& json_data);

/// --event TYPE, repeatable.
CLI::Option* add_event_option(CLI::App& sub, std::vector<std::string>& events);

/// -n, --max-events N.
CLI::Option* add_max_events_option(CLI::App& sub, std::uint64_t& max_events);

/// NAME SIZE, checked as a size; the help is WHAT followed by the default, VALUE as it is now.
CLI::Option* add_size_option(CLI::App& sub, const std::string& name, std::string& value,
                             const std::string& what);

/// --max-event-size SIZE.
CLI::Option* add_max_event_size_option(CLI::App& sub, std::string& value);

} // namespace cmd
