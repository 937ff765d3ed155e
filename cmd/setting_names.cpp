#include "setting_names.hpp"

namespace cmd {

std::string setting_flag(util::Setting setting)
{
  using util::Setting;
  switch (setting) {
  case Setting::none: return {};
  case Setting::max_event_size: return "--max-event-size";
  case Setting::timeout: return "--timeout";
  case Setting::idle_timeout: return "--idle-timeout";
  case Setting::max_retries: return "--max-retries";
  case Setting::no_reconnect: return "--no-reconnect";
  case Setting::retry_post: return "--retry-post";
  case Setting::apply: return "--apply";
  case Setting::epoch: return "--epoch";
  case Setting::claim: return "--claim";
  case Setting::producer: return "--producer";
  case Setting::max_lifetime: return "--max-lifetime";
  case Setting::client_buffer: return "--client-buffer";
  case Setting::max_clients: return "--max-clients";
  case Setting::allow_host: return "--allow-host";
  case Setting::cors: return "--cors";
  case Setting::from: return "--from";
  case Setting::to: return "--to";
  }
  return {};
}

std::string setting_note(util::Setting setting)
{
  using util::Setting;
  switch (setting) {
  case Setting::none:
    return {};
  case Setting::no_reconnect:
    return " (not retried: --no-reconnect)";
  case Setting::retry_post:
    return "; not re-sent without --retry-post";
  case Setting::epoch:
    return " (use a higher --epoch, or --claim)";
  case Setting::claim:
    return " (--claim takes over with a higher one)";
  case Setting::producer:
    return " (is another writer using the same --producer?)";
  case Setting::from:
    return " after --from";
  default:
    return " (" + setting_flag(setting) + ")";
  }
}

std::string message_of(const util::Error& error)
{
  std::string message = error.what();
  if (error.subject() != util::Setting::none) {
    message = setting_flag(error.subject()) + " " + message;
  }
  for (const util::Setting setting : error.settings()) {
    message += setting_note(setting);
  }
  return message;
}

} // namespace cmd
