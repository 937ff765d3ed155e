#pragma once
// The typed error the library throws; cmd/ maps its code to an exit status.

#include <stdexcept>
#include <string>

namespace util {

/// What kind of failure an Error is; each maps to one documented exit code.
enum class Errc {
  runtime,     ///< I/O, network after retries, server refused
  usage,       ///< the command line is wrong
  bad_input,   ///< malformed data, invalid JSON, protocol violation
  http_status, ///< an HTTP status that is not retried
  timeout,     ///< a --timeout or --idle-timeout expired
};

/// An expected failure: a code, a message saying what was wrong, and where.
class Error : public std::runtime_error {
public:
  Error(Errc code, const std::string& what, std::string where = {})
    : std::runtime_error(what), m_code(code), m_where(std::move(where))
  {
  }

  Errc code() const noexcept { return m_code; }
  /// The place the error refers to (a file and line, a URL); may be empty.
  const std::string& where() const noexcept { return m_where; }

private:
  Errc m_code;
  std::string m_where;
};

} // namespace util
