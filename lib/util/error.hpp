#pragma once
// The typed error the library throws; cmd/ maps its code to an exit status.

#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace util {

/// What kind of failure an Error is; each maps to one documented exit code.
enum class Errc {
  runtime,     ///< I/O, network after retries, server refused
  usage,       ///< the command line is wrong
  bad_input,   ///< malformed data, invalid JSON, protocol violation
  http_status, ///< an HTTP status that is not retried
  timeout,     ///< a --timeout or --idle-timeout expired
};

/// The setting an error follows from (a limit, a timeout, a retry bound, a choice the caller
/// made), so that the caller can name it the way its users set it: the library never names a
/// command-line flag, cmd/ does (cmd/setting_names.cpp).
enum class Setting {
  none,
  max_event_size, ///< the largest event, line or message accepted
  timeout,        ///< the bound on the whole run
  idle_timeout,   ///< the bound on a silence
  max_retries,    ///< how many reconnections in a row
  no_reconnect,   ///< reconnection was turned off
  retry_post,     ///< a request with a body is not re-sent unless asked
  apply,          ///< the kind of state was chosen by the caller
  epoch,          ///< the producer's epoch (a higher one, or a claim, takes over)
  claim,          ///< a claim takes over a producer with a higher epoch
  producer,       ///< the producer's id, which another writer may be using
  max_lifetime,   ///< how long a client's connection may last
  client_buffer,  ///< the bytes queued for one client before it is cut
  max_clients,    ///< how many clients at once
  allow_host,     ///< the Host names a server answers besides its own and loopback's
  cors,           ///< the origins whose pages may use a server
  from,           ///< the first event chosen (its note: a later event was looked for after it)
  to,             ///< the last event chosen
};

/// The library's own name of SETTING ("max_clients"), for a caller that names none.
std::string_view setting_id(Setting setting);

/// How the caller's users set a Setting ("--max-clients"): what the words the library writes
/// itself (a log line, the body of a refusal) name a setting with. Empty: setting_id's name.
using SettingNamer = std::function<std::string(Setting)>;

/// SETTING as NAMER names it, or by setting_id when NAMER is empty.
inline std::string name_of(const SettingNamer& namer, Setting setting)
{
  return namer ? namer(setting) : std::string(setting_id(setting));
}

/// An expected failure: a code, a message saying what was wrong, and where; and the settings
/// it follows from, in the order the message's clauses name them ("no data for 5s" then
/// "giving up after 3 retries": idle_timeout, max_retries).
class Error : public std::runtime_error {
public:
  Error(Errc code, const std::string& what, std::string where = {},
        std::initializer_list<Setting> settings = {})
    : std::runtime_error(what), m_code(code), m_where(std::move(where))
  {
    for (const Setting setting : settings) {
      if (setting != Setting::none) {
        m_settings.push_back(setting);
      }
    }
  }

  Errc code() const noexcept { return m_code; }
  /// The place the error refers to (a file and line, a URL); may be empty.
  const std::string& where() const noexcept { return m_where; }
  /// The settings the error follows from; often none.
  const std::vector<Setting>& settings() const noexcept { return m_settings; }
  /// The setting whose value the message is about, named before it ("--from X: no event
  /// has this id"); none when the message stands alone.
  Setting subject() const noexcept { return m_subject; }
  /// Makes SETTING the subject of the message.
  Error& about(Setting setting) noexcept
  {
    m_subject = setting;
    return *this;
  }

  /// The same error (code, message, settings, subject) at another place.
  Error at(std::string where) const
  {
    Error moved(m_code, what(), std::move(where));
    moved.m_settings = m_settings;
    moved.m_subject = m_subject;
    return moved;
  }

private:
  Errc m_code;
  std::string m_where;
  std::vector<Setting> m_settings;
  Setting m_subject = Setting::none;
};

} // namespace util
