#pragma once
// How sse's users set what the library calls a util::Setting: the command-line flag, in the
// words that end an error message ("... (--max-event-size)").

#include "util/error.hpp"

#include <string>

namespace cmd {

/// The flag that sets SETTING ("--max-clients"); empty for Setting::none. It is also the
/// util::SettingNamer the library's own words (log lines, refusals) are given.
std::string setting_flag(util::Setting setting);

/// What follows an error's message for SETTING: " (--max-event-size)", " (not retried:
/// --no-reconnect)"; empty for Setting::none.
std::string setting_note(util::Setting setting);

/// The error's message, after its subject's flag when it has one, with its settings' notes:
/// what the user reads before " (WHERE)".
std::string message_of(const util::Error& error);

} // namespace cmd
