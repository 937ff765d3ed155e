#pragma once
// The options several commands share, declared once so that their names, checks, defaults
// and --help text are the same wherever they appear. The caller binds them to its own options
// struct and puts them in the help group its man page lists them under.

#include "output.hpp"
#include "sse/parser.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cmd {

/// The largest event or input line the readers accept unless --max-event-size says otherwise:
/// the parser's own default.
inline constexpr std::uint64_t k_default_max_event_size = sse::ParserOptions{}.max_event_size;

/// FILE...: the inputs of a command that reads files or stdin, in order.
CLI::Option* add_input_files(CLI::App& sub, std::vector<std::string>& files,
                             const std::string& help = "Files to read; '-' or none reads stdin");

/// -f, --format FORMAT; FORMAT stays empty for the default (choose_format). Without WITH_RAW
/// the help leaves raw out, but raw still passes the check, so that the command can say why it
/// has no raw output.
CLI::Option* add_format_option(CLI::App& sub, std::optional<Format>& format, bool with_raw = true);

/// --json-data.
CLI::Option* add_json_data_flag(CLI::App& sub, bool& json_data);

/// --event TYPE, repeatable.
CLI::Option* add_event_option(CLI::App& sub, std::vector<std::string>& events);

/// -n, --max-events N.
CLI::Option* add_max_events_option(CLI::App& sub, std::uint64_t& max_events);

/// --max-event-size SIZE, in bytes.
CLI::Option* add_max_event_size_option(CLI::App& sub, std::uint64_t& value);

} // namespace cmd
