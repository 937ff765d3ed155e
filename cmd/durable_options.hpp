#pragma once
// What every Durable Streams command shares: the stream as a URL or a name under STREAM_URL,
// the Authorization of --auth or STREAM_AUTH, the curl-like request options, retries, and -v
// tracing of each request.

#include "context.hpp"
#include "request_options.hpp"
#include "durable/client/client.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace cmd {

/// The base of stream names when STREAM_URL is unset (the official CLI's default).
inline constexpr const char* k_default_stream_base = "http://localhost:4437/v1/stream";

/// A stream as the command line names it: an http(s) URL, or a name under STREAM_URL.
struct StreamTarget {
  std::string url;         ///< the URL as given, or the name joined to STREAM_URL
  http::Url parsed;        ///< URL, parsed
  bool named = false;      ///< it was given as a name
};

/// The URL positional into TARGET, resolved and parsed as the command line is read: a name
/// that is not one, or a URL that is not http(s), is a usage error there.
CLI::Option* add_stream_target(CLI::App& sub, StreamTarget& target, const std::string& help);

struct ClientOptions {
  StreamTarget target;
  RequestOptions request;
  std::optional<std::string> auth;
  std::uint32_t max_retries = 10;
};

/// Adds the URL positional, --auth, the request options (without a body) and --max-retries.
void add_durable_options(CLI::App& sub, ClientOptions& options);

/// Adds --auth alone (for tail, which has its own request options).
void add_auth_option(CLI::App& sub, std::optional<std::string>& auth);

/// How a stream is to be created: --content-type or --json, --ttl, --expires-at.
struct StreamSettings {
  std::string content_type;
  bool json = false;
  std::optional<std::string> ttl;        ///< whole seconds
  std::optional<std::string> expires_at; ///< RFC 3339

  /// The content type asked for, or FALLBACK when none was.
  std::string type_or(const std::string& fallback) const;
  /// A create request with these settings; application/octet-stream without a type.
  durable::CreateRequest create_request() const;
};

/// Adds --content-type (described by TYPE_HELP), --json, --ttl and --expires-at (checked; TTL
/// values become whole seconds) to GROUP.
void add_stream_settings(CLI::App& sub, StreamSettings& settings, const std::string& type_help,
                         const char* group);

/// The stream URL: TARGET itself, or a name joined to STREAM_URL.
std::string stream_url(const std::string& target);

/// The request every call to the stream starts from, with Authorization from --auth, else
/// STREAM_AUTH (unless -H, -u or --bearer already authorize).
http::Request durable_request(const RequestOptions& request, const std::optional<std::string>& auth,
                              const http::Url& url);

/// Prints requests, replies and retries on stderr as -v asks; retries always say why.
void trace_client(durable::Client& client, const Context& context);

} // namespace cmd
