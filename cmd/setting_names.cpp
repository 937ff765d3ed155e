#include "setting_names.hpp"

namespace cmd {

std::string setting_note(util::Setting setting)
{
  using util::Setting;
  switch (setting) {
  case Setting::none:
    return {};
  case Setting::max_event_size:
    return " (--max-event-size)";
  case Setting::timeout:
    return " (--timeout)";
  case Setting::idle_timeout:
    return " (--idle-timeout)";
  case Setting::max_retries:
    return " (--max-retries)";
  case Setting::no_reconnect:
    return " (not retried: --no-reconnect)";
  case Setting::retry_post:
    return "; not re-sent without --retry-post";
  case Setting::apply:
    return " (--apply)";
  case Setting::epoch:
    return " (use a higher --epoch, or --claim)";
  case Setting::claim:
    return " (--claim takes over with a higher one)";
  case Setting::producer:
    return " (is another writer using the same --producer?)";
  }
  return {};
}

std::string message_of(const util::Error& error)
{
  std::string message = error.what();
  for (const util::Setting setting : error.settings()) {
    message += setting_note(setting);
  }
  return message;
}

} // namespace cmd
