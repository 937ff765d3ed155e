#pragma once
// The seam between protocol logic and the network: a Transport sends one request and streams
// the response to a handler. The real one wraps cpp-httplib; tests use a fake.

#include "http/url.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Looks NAME up case-insensitively; the first match.
std::optional<std::string> find_header(const Headers& headers, std::string_view name);

struct TlsOptions {
  bool insecure = false; ///< -k: do not verify the server's certificate
  std::string ca_file;   ///< --cacert: trust these CAs instead of the system's
};

struct Request {
  std::string method = "GET";
  Url url;
  Headers headers;
  std::optional<std::string> body;
  std::string basic_user;     ///< -u user:pass, split; empty for none
  std::string basic_password;
  std::string bearer_token;   ///< --bearer
  TlsOptions tls;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::optional<Url> proxy;
  /// The response's status line and headers together may take this much; beyond it (or
  /// beyond 2000 lines, or a line over 8 KiB) the transfer ends as bad_response.
  std::size_t max_head_size = 256 * 1024;
};

struct ResponseHead {
  int status = 0;
  std::string reason;
  Headers headers;
};

/// Receives one response as it arrives; returning false from either call ends the transfer.
class ResponseHandler {
public:
  virtual ~ResponseHandler() = default;
  virtual bool on_head(const ResponseHead& head) = 0;
  virtual bool on_body(std::string_view bytes) = 0;
};

struct TransferResult {
  enum class Outcome {
    completed,      ///< the response ended normally
    stopped,        ///< a handler returned false
    cancelled,      ///< cancel() was called
    connect_failed, ///< no connection could be made (refused, DNS, TLS handshake, proxy)
    broken,         ///< the connection failed mid-way
    invalid_request, ///< the request cannot be sent as it is (see request_problem): nothing was sent
    bad_response,    ///< the response broke a limit before its body (headers too large): not to be retried
  };
  Outcome outcome = Outcome::completed;
  std::string message; ///< what went wrong, for the user
};

class Transport {
public:
  virtual ~Transport() = default;
  /// Sends REQUEST and streams the response to HANDLER until it ends.
  virtual TransferResult send(const Request& request, ResponseHandler& handler) = 0;
  /// Ends the send() under way, from another thread, as soon as possible; if none is under
  /// way, the next one ends at once.
  virtual void cancel() = 0;
  /// Forgets a cancel() that no send() has consumed.
  virtual void clear_cancel() = 0;
};

} // namespace http
