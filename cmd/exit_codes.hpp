#pragma once
// The exit codes every subcommand shares (DESIGN.md §3), documented in sse(1) EXIT STATUS.

#include "util/error.hpp"

namespace cmd {

enum ExitCode : int {
  k_exit_ok = 0,          ///< stream ended cleanly, limit reached, stop condition met
  k_exit_failure = 1,     ///< I/O, network after retries, server refused
  k_exit_usage = 2,       ///< every command-line parse error
  k_exit_bad_input = 3,   ///< malformed data, invalid JSON or patch, protocol violation
  k_exit_http = 4,        ///< an HTTP error status that is not retried
  k_exit_timeout = 124,   ///< a --timeout or --idle-timeout expired, as timeout(1)
  k_exit_interrupted = 130, ///< SIGINT
};

inline int exit_code_for(util::Errc code)
{
  switch (code) {
  case util::Errc::runtime:
    return k_exit_failure;
  case util::Errc::usage:
    return k_exit_usage;
  case util::Errc::bad_input:
    return k_exit_bad_input;
  case util::Errc::http_status:
    return k_exit_http;
  case util::Errc::timeout:
    return k_exit_timeout;
  }
  return k_exit_failure;
}

} // namespace cmd
