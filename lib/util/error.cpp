#include "util/error.hpp"

namespace util {

std::string_view setting_id(Setting setting)
{
  switch (setting) {
  case Setting::none: return "";
  case Setting::max_event_size: return "max_event_size";
  case Setting::timeout: return "timeout";
  case Setting::idle_timeout: return "idle_timeout";
  case Setting::max_retries: return "max_retries";
  case Setting::no_reconnect: return "no_reconnect";
  case Setting::retry_post: return "retry_post";
  case Setting::apply: return "apply";
  case Setting::epoch: return "epoch";
  case Setting::claim: return "claim";
  case Setting::producer: return "producer";
  case Setting::max_lifetime: return "max_lifetime";
  case Setting::client_buffer: return "client_buffer";
  case Setting::max_clients: return "max_clients";
  case Setting::allow_host: return "allow_host";
  case Setting::cors: return "cors";
  case Setting::from: return "from";
  case Setting::to: return "to";
  }
  return "";
}

} // namespace util
