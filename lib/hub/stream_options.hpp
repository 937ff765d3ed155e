#pragma once
// How `sse serve` frames and paces every client's event stream, whatever feeds it.

#include "net/access.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace hub {

struct StreamOptions {
  std::optional<std::uint64_t> retry_ms;      ///< `retry:` sent at connect
  std::chrono::milliseconds heartbeat{15'000}; ///< a comment when idle this long; 0: never
  std::string hello;                           ///< a comment at connect; empty: none
  std::string goodbye;                         ///< a comment when the server ends the stream
  std::string eol = "\n";                      ///< line ending: "\n", "\r\n" or "\r"
  bool bom = false;                            ///< a U+FEFF at the start of every stream
  net::AccessPolicy access;                    ///< Host names answered, pages let in
  std::size_t max_clients = 0;                 ///< 0: no limit
  std::chrono::milliseconds max_lifetime{0};   ///< end a connection after this long; 0: never
  std::size_t client_buffer = 1024 * 1024;     ///< bytes queued for one client before it is cut
  /// How the log lines and the 503 name a setting ("reached --max-lifetime"); empty: by its
  /// util::setting_id.
  util::SettingNamer name_setting;
  /// Receives one line per connection event (for -v); may be empty.
  std::function<void(const std::string&)> log;
};

} // namespace hub
