// The only file of the client that includes httplib.h. It maps cpp-httplib's errors to
// TransferResult outcomes; everything about SSE lives above it.

#include "http/httplib_transport.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace http {
namespace {

bool is_connect_error(httplib::Error error)
{
  switch (error) {
  case httplib::Error::Connection:
  case httplib::Error::BindIPAddress:
  case httplib::Error::SSLConnection:
  case httplib::Error::SSLLoadingCerts:
  case httplib::Error::SSLServerVerification:
  case httplib::Error::ConnectionTimeout:
    return true;
  default:
    return false;
  }
}

std::string describe(httplib::Error error)
{
  switch (error) {
  case httplib::Error::Connection:
    return "could not connect";
  case httplib::Error::ConnectionTimeout:
    return "connection timed out";
  case httplib::Error::SSLConnection:
    return "TLS handshake failed";
  case httplib::Error::SSLLoadingCerts:
    return "could not load CA certificates";
  case httplib::Error::SSLServerVerification:
    return "server certificate verification failed";
  case httplib::Error::Read:
    return "connection lost while reading";
  case httplib::Error::Write:
    return "connection lost while sending";
  case httplib::Error::ExceedRedirectCount:
    return "too many redirects";
  case httplib::Error::Compression:
    return "could not decode the compressed response";
  default:
    return httplib::to_string(error);
  }
}

} // namespace

std::optional<std::string> find_header(const Headers& headers, std::string_view name)
{
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size()
        && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a))
                    == std::tolower(static_cast<unsigned char>(b));
           })) {
      return value;
    }
  }
  return std::nullopt;
}

HttplibTransport::HttplibTransport() = default;
HttplibTransport::~HttplibTransport() = default;

TransferResult HttplibTransport::send(const Request& request, ResponseHandler& handler)
{
  httplib::Client client(request.url.origin());
  {
    std::lock_guard lock(m_mutex);
    if (m_cancelled) {
      m_cancelled = false;
      return {TransferResult::Outcome::cancelled, "cancelled"};
    }
    m_client = &client;
  }
  const auto connect_us = std::chrono::duration_cast<std::chrono::microseconds>(request.connect_timeout).count();
  client.set_connection_timeout(static_cast<time_t>(connect_us / 1000000),
                                static_cast<time_t>(connect_us % 1000000));
  // Streams may be quiet for hours; idle limits are the caller's watchdog's business.
  client.set_read_timeout(std::chrono::hours(24 * 365));
  client.set_write_timeout(std::chrono::seconds(60));
  client.set_follow_location(true);
  client.set_decompress(true);
  client.set_keep_alive(false);
  client.set_url_encode(false);
  if (!request.basic_user.empty() || !request.basic_password.empty()) {
    client.set_basic_auth(request.basic_user.c_str(), request.basic_password.c_str());
  }
  if (!request.bearer_token.empty()) {
    client.set_bearer_token_auth(request.bearer_token.c_str());
  }
  if (request.proxy) {
    client.set_proxy(request.proxy->host.c_str(), request.proxy->port);
  }
  if (request.url.scheme == "https") {
    client.enable_server_certificate_verification(!request.tls.insecure);
    if (!request.tls.ca_file.empty()) {
      client.set_ca_cert_path(request.tls.ca_file.c_str());
    }
  }

  httplib::Request req;
  req.method = request.method;
  req.path = request.url.target;
  for (const auto& [name, value] : request.headers) {
    req.headers.emplace(name, value);
  }
  if (request.body) {
    req.body = *request.body;
  }
  bool stopped = false;
  bool head_seen = false;
  auto deliver_head = [&](const httplib::Response& response) {
    head_seen = true;
    ResponseHead head;
    head.status = response.status;
    head.reason = response.reason;
    for (const auto& [name, value] : response.headers) {
      head.headers.emplace_back(name, value);
    }
    return handler.on_head(head);
  };
  req.response_handler = [&](const httplib::Response& response) {
    const bool go_on = deliver_head(response);
    stopped = !go_on;
    return go_on;
  };
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    const bool go_on = handler.on_body({data, size});
    stopped = !go_on;
    return go_on;
  };

  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  const bool ok = client.send(req, response, error);
  // cpp-httplib does not call the response handler for a response without a body (204).
  if (ok && !head_seen && response.status != -1) {
    deliver_head(response);
  }
  bool cancelled = false;
  {
    std::lock_guard lock(m_mutex);
    m_client = nullptr;
    cancelled = m_cancelled;
    m_cancelled = false;
  }
  if (cancelled) {
    return {TransferResult::Outcome::cancelled, "cancelled"};
  }
  if (stopped) {
    return {TransferResult::Outcome::stopped, {}};
  }
  if (ok) {
    return {TransferResult::Outcome::completed, {}};
  }
  if (is_connect_error(error)) {
    return {TransferResult::Outcome::connect_failed, describe(error)};
  }
  return {TransferResult::Outcome::broken, describe(error)};
}

void HttplibTransport::clear_cancel()
{
  std::lock_guard lock(m_mutex);
  m_cancelled = false;
}

void HttplibTransport::cancel()
{
  std::lock_guard lock(m_mutex);
  m_cancelled = true;
  if (m_client != nullptr) {
    m_client->stop();
  }
}

} // namespace http
