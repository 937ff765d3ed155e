// The only file of the client that includes httplib.h. It maps cpp-httplib's errors to
// TransferResult outcomes; everything about SSE lives above it.

#include "http/httplib_transport.hpp"

#include "http/request_check.hpp"

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

namespace {

// Where a redirect's Location points, relative to the URL that answered.
std::optional<Url> resolve_location(const Url& base, const std::string& location)
{
  try {
    if (location.find("://") != std::string::npos) {
      return parse_url(location);
    }
    if (location.rfind("//", 0) == 0) {
      return parse_url(base.scheme + ":" + location);
    }
    if (!location.empty() && location.front() == '/') {
      return parse_url(base.origin() + location);
    }
    const std::string path = base.target.substr(0, base.target.find('?'));
    return parse_url(base.origin() + path.substr(0, path.rfind('/') + 1) + location);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool is_redirect(int status)
{
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

TransferResult HttplibTransport::send(const Request& original, ResponseHandler& handler)
{
  // Redirects are followed here rather than by cpp-httplib, which would follow them with a
  // client that cancel() cannot reach and would send credentials to any host.
  constexpr int k_max_redirects = 10;
  Request request = original;
  for (int hop = 0;; ++hop) {
    std::optional<std::string> location;
    int status = 0;
    const TransferResult result = send_once(request, handler, location, status);
    if (!location) {
      return result;
    }
    if (hop == k_max_redirects) {
      return {TransferResult::Outcome::broken, "more than 10 redirects"};
    }
    const auto next = resolve_location(request.url, *location);
    if (!next) {
      return {TransferResult::Outcome::broken, "a redirect to an invalid URL: " + *location};
    }
    if (next->origin() != request.url.origin()) {
      request.basic_user.clear();
      request.basic_password.clear();
      request.bearer_token.clear();
      std::erase_if(request.headers, [](const auto& header) {
        return find_header({header}, "Authorization") || find_header({header}, "Cookie");
      });
    }
    if (status == 303 || ((status == 301 || status == 302) && request.method == "POST")) {
      request.method = "GET";
      request.body.reset();
      std::erase_if(request.headers, [](const auto& header) {
        return find_header({header}, "Content-Type").has_value();
      });
    }
    request.url = *next;
  }
}

TransferResult HttplibTransport::send_once(const Request& request, ResponseHandler& handler,
                                           std::optional<std::string>& location, int& status)
{
  // The last line of defence against request splitting: cpp-httplib writes what it is given.
  if (auto problem = request_problem(request); !problem.empty()) {
    return {TransferResult::Outcome::invalid_request, problem};
  }
  httplib::Client client(request.url.origin());
  {
    std::lock_guard lock(m_mutex);
    if (m_cancelled) {
      m_cancelled = false;
      return {TransferResult::Outcome::cancelled, "cancelled"};
    }
    m_client = &client;
  }
  // cancel() must never reach a client that is gone, whatever leaves this function.
  struct Forget {
    HttplibTransport& transport;
    ~Forget()
    {
      std::lock_guard lock(transport.m_mutex);
      transport.m_client = nullptr;
    }
  } forget{*this};

  const auto connect_us = std::chrono::duration_cast<std::chrono::microseconds>(request.connect_timeout).count();
  client.set_connection_timeout(static_cast<time_t>(connect_us / 1000000),
                                static_cast<time_t>(connect_us % 1000000));
  // Streams may be quiet for hours; idle limits are the caller's watchdog's business.
  client.set_read_timeout(std::chrono::hours(24 * 365));
  client.set_write_timeout(std::chrono::seconds(60));
  client.set_follow_location(false);
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
    status = response.status;
    if (is_redirect(response.status) && response.has_header("Location")) {
      location = response.get_header_value("Location");
      return false;
    }
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
  // cpp-httplib does not call the response handler for a response without a body (204), and
  // not for a redirect it does not follow (a 3xx without Location, 304).
  if (!head_seen && response.status > 0 && (ok || error == httplib::Error::Success)) {
    deliver_head(response);
    if (location) {
      return {TransferResult::Outcome::stopped, {}};
    }
    return {TransferResult::Outcome::completed, {}};
  }
  bool cancelled = false;
  {
    std::lock_guard lock(m_mutex);
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
