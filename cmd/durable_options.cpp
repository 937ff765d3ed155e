#include "durable_options.hpp"

#include "trace.hpp"
#include "durable/protocol/rules.hpp"
#include "http/request_check.hpp"
#include "util/error.hpp"
#include "util/units.hpp"

#include <algorithm>
#include <cctype>

#include <cstdlib>
#include <iostream>

namespace cmd {

void add_auth_option(CLI::App& sub, std::optional<std::string>& auth)
{
  add_header_value_option(sub, "--auth", auth,
                          "Send VALUE as the Authorization header (default: $STREAM_AUTH)", "VALUE")
    ->check([](const std::string& value) {
      return value.empty() ? std::string("the Authorization value is empty") : std::string();
    })
    ->group("Request");
}

void add_durable_options(CLI::App& sub, ClientOptions& options)
{
  add_stream_target(sub, options.target, "The stream's http(s) URL, or a stream name under $STREAM_URL");
  add_auth_option(sub, options.auth);
  add_request_options(sub, options.request, false);
  sub.add_option("--max-retries", options.max_retries,
                 "Retries of a request after network errors, 429 and 5xx (default 10)")
    ->option_text("N")
    ->group("Request");
}

std::string StreamSettings::type_or(const std::string& fallback) const
{
  if (json) {
    return "application/json";
  }
  return content_type.empty() ? fallback : content_type;
}

durable::CreateRequest StreamSettings::create_request() const
{
  durable::CreateRequest create;
  create.content_type = type_or("application/octet-stream");
  create.ttl = ttl;
  create.expires_at = expires_at;
  return create;
}

void add_stream_settings(CLI::App& sub, StreamSettings& settings, const std::string& type_help,
                         const char* group)
{
  auto* type =
    add_header_value_option(sub, "--content-type", settings.content_type, type_help, "TYPE")->group(group);
  sub.add_flag("--json", settings.json, "Same as --content-type application/json")
    ->excludes(type)
    ->group(group);
  auto& ttl = settings.ttl;
  auto& expires_at = settings.expires_at;
  auto* ttl_option =
    sub.add_option("--ttl", ttl, "Expire the stream after DUR without reads or writes (3600, 1h)")
      ->option_text("DUR")
      ->transform(
        [](std::string value) {
          // Stream-TTL is whole seconds, without a sign or leading zeros.
          if (!value.empty() && std::all_of(value.begin(), value.end(), ::isdigit)) {
            const auto first = value.find_first_not_of('0');
            return first == std::string::npos ? std::string("0") : value.substr(first);
          }
          const auto duration = util::parse_duration(value);
          if (!duration || duration->count() % 1000 != 0) {
            throw CLI::ValidationError("'" + value
                                       + "' is not a whole number of seconds (3600) or a duration (1h, 90s)");
          }
          return std::to_string(duration->count() / 1000);
        },
        "DUR")
      ->group(group);
  sub.add_option("--expires-at", expires_at,
                 "Expire the stream at TIME, an RFC 3339 timestamp (2026-12-31T23:59:59Z)")
    ->option_text("TIME")
    ->check(
      [](const std::string& value) {
        return durable::parse_timestamp(value) ? std::string()
                                               : "'" + value + "' is not an RFC 3339 timestamp";
      },
      "TIME")
    ->excludes(ttl_option)
    ->group(group);
}

CLI::Option* add_stream_target(CLI::App& sub, StreamTarget& target, const std::string& help)
{
  return sub
    .add_option_function<std::string>(
      "URL",
      [&target](const std::string& text) {
        try {
          target.url = stream_url(text);
          target.parsed = http::parse_url(target.url);
          target.named = durable::is_stream_name(text);
        } catch (const util::Error& e) {
          throw CLI::ValidationError(e.where().empty() ? e.what()
                                                       : e.what() + std::string(" (") + e.where() + ")");
        }
      },
      help)
    ->required();
}

std::string stream_url(const std::string& target)
{
  const char* base = std::getenv("STREAM_URL");
  return durable::resolve_stream_url(target, base != nullptr && *base != '\0' ? base
                                                                              : k_default_stream_base);
}

http::Request durable_request(const RequestOptions& request, const std::optional<std::string>& auth,
                              const http::Url& url)
{
  http::Request base = build_request(request, url);
  const bool authorized = http::find_header(base.headers, "Authorization") || !base.basic_user.empty()
                          || !base.bearer_token.empty();
  std::optional<std::string> value = auth;
  if (!value && !authorized) {
    if (const char* env = std::getenv("STREAM_AUTH"); env != nullptr && *env != '\0') {
      // --auth was checked as it was parsed; STREAM_AUTH is read only now.
      if (const std::string problem = http::value_problem(env); !problem.empty()) {
        throw util::Error(util::Errc::usage, "the Authorization value " + problem, "STREAM_AUTH");
      }
      value = env;
    }
  }
  if (value) {
    std::erase_if(base.headers, [](const auto& header) {
      return http::find_header({header}, "Authorization").has_value();
    });
    base.headers.emplace_back("Authorization", *value);
  }
  return base;
}

void trace_client(durable::Client& client, const Context& context)
{
  const std::string url = client.url();
  client.on_retry = [url](const std::string& why, std::chrono::milliseconds wait) {
    std::cerr << "sse: " << why << "; retrying in " << wait.count() << "ms (" << url << ")"
              << std::endl;
  };
  if (context.verbosity == 0) {
    return;
  }
  client.on_request = [](const http::Request& request) { trace_request(request); };
  client.on_reply = [](const durable::Reply& reply) {
    trace_response(reply.status, reply.reason, reply.headers);
  };
}

} // namespace cmd
