#pragma once
// A Durable Streams client for one stream URL: create, info (HEAD), close, delete, and the
// POST under appends, with the retry rules of DIGEST.md §5: network errors, 429 and 5xx are
// retried with exponential backoff and jitter, Retry-After as a floor; other statuses never.

#include "http/retry.hpp"
#include "http/transport.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace durable {

struct RetryPolicy {
  std::uint32_t max_retries = 10; ///< retries of one request before giving up
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds cap{30000};
  std::uint64_t seed = 0; ///< for the jitter; 0 picks one at random
};

/// A whole response: small bodies only (write replies, error messages).
struct Reply {
  int status = 0;
  std::string reason;
  http::Headers headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const
  {
    return http::find_header(headers, name);
  }
  bool closed() const;
};

/// What HEAD says about a stream.
struct StreamInfo {
  std::string content_type;
  std::string next_offset;
  bool closed = false;
  std::optional<std::string> ttl;
  std::optional<std::string> expires_at;
  std::optional<std::string> etag;
};

struct CreateRequest {
  std::string content_type = "application/octet-stream";
  std::optional<std::string> ttl;        ///< seconds, as sent in Stream-TTL
  std::optional<std::string> expires_at; ///< RFC 3339, as sent in Stream-Expires-At
  bool closed = false;
  std::string body; ///< initial content
};

struct WriteResult {
  std::string next_offset;
  bool closed = false;
  bool created = false;   ///< create: 201 rather than 200 (it existed with this configuration)
  std::string content_type;
};

/// Builds the stream URL for TARGET: an http(s) URL as it is, otherwise a stream name joined
/// to BASE (STREAM_URL, default http://localhost:4437/v1/stream) with one '/'. Throws
/// util::Error(usage) for a name with characters outside [A-Za-z0-9_.:/-] or over 256 long.
std::string resolve_stream_url(const std::string& target, const std::string& base);
/// Whether TARGET names a stream rather than giving a URL.
bool is_stream_name(std::string_view target);

class Client {
public:
  /// BASE carries the stream URL, headers, auth and TLS settings every request shares.
  Client(http::Transport& transport, http::Request base, RetryPolicy retry);

  /// Called before each retry: why the last attempt failed and how long until the next.
  std::function<void(const std::string& why, std::chrono::milliseconds wait)> on_retry;
  /// Called with each request sent and each reply, for -v.
  std::function<void(const http::Request&)> on_request;
  std::function<void(const Reply&)> on_reply;

  StreamInfo info();
  /// PUT; 409 and other statuses throw (see throw_status).
  WriteResult create(const CreateRequest& request);
  /// POST Stream-Closed with an empty body; repeating it is harmless.
  WriteResult close();
  /// DELETE. A retried DELETE answered 404 counts as done: the lost reply was the deletion.
  void remove();

  /// Sends a request built on the base with METHOD, EXTRA headers and BODY, retrying what
  /// DIGEST.md §5 says to retry; returns the first reply that is not retried. Throws
  /// util::Error(runtime) when retries are exhausted.
  Reply send(const std::string& method, const http::Headers& extra, std::optional<std::string> body);
  /// Ends a send() soon, from another thread: the transfer is cancelled and a wait before a
  /// retry ends at once; that send() and every later one throw util::Error(runtime).
  void interrupt();
  /// How many requests have been retried in all (for tests and -v).
  std::uint64_t retries() const { return m_retries; }

  const http::Request& base() const { return m_base; }
  std::string url() const { return m_base.url.str(); }

private:
  http::Transport& m_transport;
  http::Request m_base;
  RetryPolicy m_retry;
  std::uint64_t m_retries = 0;
  std::uint64_t m_seed;
  http::InterruptibleWait m_wait;
};

/// A refusal by the server: util::Error(http_status) that keeps the status.
class HttpError : public util::Error {
public:
  HttpError(int status, const std::string& what, std::string where,
            std::initializer_list<util::Setting> settings = {})
    : util::Error(util::Errc::http_status, what, std::move(where), settings), m_status(status)
  {
  }
  int status() const noexcept { return m_status; }

private:
  int m_status;
};

/// Throws HttpError for a reply to ACTION ("append", "create", ...) that failed,
/// with what the headers tell: a closed stream, a producer gap or stale epoch, or the body.
[[noreturn]] void throw_status(const Reply& reply, std::string_view action, const std::string& url);

/// Whether STATUS is retried (429, 5xx).
bool is_retryable_status(int status);

} // namespace durable
