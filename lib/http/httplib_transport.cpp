// The only file of the client that includes httplib.h. It maps cpp-httplib's errors to
// TransferResult outcomes; everything about SSE lives above it.

#include "http/httplib_transport.hpp"

#include "http/request_check.hpp"
#include "util/units.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <type_traits>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

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

namespace {

// What a response head may take. cpp-httplib 0.11.4 (Debian's shared library) reads the
// status line and header lines with a growing buffer and checks a line's length against
// CPPHTTPLIB_HEADER_MAX_LENGTH (8192, fixed when the library was built) only once the whole
// line is in, and it bounds neither the number of lines nor their total: a server could make
// the client hold gigabytes. The head is therefore counted here, in the stream cpp-httplib
// reads from, as it is handed over (it reads the head one byte at a time).
constexpr std::size_t k_max_head_line = CPPHTTPLIB_HEADER_MAX_LENGTH;
constexpr std::size_t k_max_head_lines = 2000; // as Node's http.maxHeadersCount

// One exchange: the limits, what the stream saw, and whether the head is over.
struct Exchange {
  std::size_t max_head_size = 0;
  bool head_done = false;
  std::size_t head_bytes = 0;
  std::size_t head_lines = 0;
  std::size_t line_length = 0;
  std::string head_problem;  ///< the limit the head broke, for the user
  bool answered_early = false; ///< the server answered before the request was all sent
  bool send_failed = false;

  /// Counts the head bytes BYTES; false once they break a limit.
  bool take_head(const char* bytes, std::size_t size)
  {
    for (std::size_t i = 0; i < size; ++i) {
      ++head_bytes;
      ++line_length;
      if (bytes[i] == '\n') {
        ++head_lines;
        line_length = 0;
      }
      if (head_bytes > max_head_size) {
        head_problem = "the response headers are larger than " + util::format_size(max_head_size)
                       + ", the limit";
      } else if (line_length > k_max_head_line) {
        head_problem = "a response header line is longer than " + util::format_size(k_max_head_line)
                       + ", the limit";
      } else if (head_lines > k_max_head_lines) {
        head_problem = "the response has more than " + std::to_string(k_max_head_lines)
                       + " header lines, the limit";
      }
      if (!head_problem.empty()) {
        return false;
      }
    }
    return true;
  }
};

// The stream cpp-httplib reads the response from and writes the request to, over the
// connection it made (plain or TLS): it counts the response head against the limits, and
// notices a server that answers (413, say) before it has taken the whole body, so that the
// client stops sending and reads the answer instead of failing on a closed connection.
class GuardedStream final : public httplib::Stream {
public:
  GuardedStream(int sock, SSL* ssl, int write_timeout_ms, Exchange& exchange)
    : m_sock(sock), m_ssl(ssl), m_write_timeout_ms(write_timeout_ms), m_exchange(exchange)
  {
  }

  bool is_readable() const override
  {
    return m_position < m_filled || (m_ssl != nullptr && SSL_pending(m_ssl) > 0) || wait(POLLIN, -1);
  }
  bool is_writable() const override { return wait(POLLOUT, m_write_timeout_ms); }

  ssize_t read(char* ptr, size_t size) override
  {
    if (m_position == m_filled && !fill()) {
      return m_last_read;
    }
    const std::size_t n = std::min(size, m_filled - m_position);
    const char* bytes = m_buffer + m_position;
    if (!m_exchange.head_done && !m_exchange.take_head(bytes, n)) {
      return -1;
    }
    std::memcpy(ptr, bytes, n);
    m_position += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override
  {
    if (m_exchange.answered_early || m_exchange.send_failed) {
      return static_cast<ssize_t>(size); // dropped: the answer is what matters now
    }
    if (m_ssl != nullptr) {
      // TLS: records from the server (session tickets) make the socket readable with no
      // answer in them, so an early answer is not looked for.
      const int n = SSL_write(m_ssl, ptr, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
      return n > 0 ? n : -1;
    }
    pollfd fd{m_sock, POLLIN | POLLOUT, 0};
    while (true) {
      const int ready = ::poll(&fd, 1, m_write_timeout_ms);
      if (ready < 0 && errno == EINTR) {
        continue;
      }
      if (ready <= 0) {
        return -1;
      }
      if ((fd.revents & POLLIN) != 0) {
        // The server answered before it had the whole request: stop sending and read it.
        m_exchange.answered_early = true;
        return static_cast<ssize_t>(size);
      }
      const ssize_t n = ::send(m_sock, ptr, std::min<std::size_t>(size, 1 << 16), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) {
        return n;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        continue;
      }
      // Reset or closed by the server: its answer may still be waiting to be read.
      m_exchange.send_failed = true;
      return static_cast<ssize_t>(size);
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address(ip, port, true); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address(ip, port, false); }
  socket_t socket() const override { return m_sock; }

private:
  bool wait(short events, int timeout_ms) const
  {
    pollfd fd{m_sock, events, 0};
    int ready = 0;
    do {
      ready = ::poll(&fd, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    return ready > 0;
  }

  // Refills the buffer; false at the end of the stream or on an error (m_last_read says which).
  bool fill()
  {
    m_position = m_filled = 0;
    while (true) {
      if (m_ssl != nullptr && SSL_pending(m_ssl) <= 0 && !wait(POLLIN, -1)) {
        m_last_read = -1;
        return false;
      }
      const ssize_t n = m_ssl != nullptr ? SSL_read(m_ssl, m_buffer, sizeof m_buffer)
                                         : ::recv(m_sock, m_buffer, sizeof m_buffer, 0);
      if (n > 0) {
        m_filled = static_cast<std::size_t>(n);
        return true;
      }
      if (m_ssl != nullptr) {
        const int error = SSL_get_error(m_ssl, static_cast<int>(n));
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
          continue;
        }
        m_last_read = error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
        return false;
      }
      if (n < 0 && errno == EINTR) {
        continue;
      }
      m_last_read = n;
      return false;
    }
  }

  void address(std::string& ip, int& port, bool remote) const
  {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    auto* sa = reinterpret_cast<sockaddr*>(&storage);
    if ((remote ? ::getpeername(m_sock, sa, &length) : ::getsockname(m_sock, sa, &length)) != 0) {
      return;
    }
    char text[INET6_ADDRSTRLEN] = {};
    if (storage.ss_family == AF_INET) {
      const auto* in = reinterpret_cast<sockaddr_in*>(sa);
      ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
      port = ntohs(in->sin_port);
    } else if (storage.ss_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<sockaddr_in6*>(sa);
      ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
      port = ntohs(in6->sin6_port);
    }
    ip = text;
  }

  int m_sock;
  SSL* m_ssl;
  int m_write_timeout_ms;
  Exchange& m_exchange;
  char m_buffer[4096];
  std::size_t m_position = 0;
  std::size_t m_filled = 0;
  ssize_t m_last_read = 0;
};

// cpp-httplib's clients with the connection's stream replaced by a GuardedStream: its
// process_socket is the one virtual through which every exchange passes (a private virtual
// may be overridden).
template <typename Base> class GuardedClient final : public Base {
public:
  GuardedClient(const std::string& host, int port, Exchange& exchange)
    : Base(host, port), m_exchange(exchange)
  {
  }

private:
  bool process_socket(const typename Base::Socket& socket,
                      std::function<bool(httplib::Stream& strm)> callback) override
  {
    SSL* ssl = nullptr;
    if constexpr (std::is_same_v<Base, httplib::SSLClient>) {
      ssl = socket.ssl;
    }
    const auto ms = this->write_timeout_sec_ * 1000 + this->write_timeout_usec_ / 1000;
    GuardedStream stream(socket.sock, ssl, static_cast<int>(ms), m_exchange);
    return callback(stream);
  }

  Exchange& m_exchange;
};

} // namespace


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
  Exchange exchange;
  exchange.max_head_size = request.max_head_size;
  std::unique_ptr<httplib::ClientImpl> owned;
  if (request.url.scheme == "https") {
    owned = std::make_unique<GuardedClient<httplib::SSLClient>>(request.url.host, request.url.port, exchange);
  } else {
    owned = std::make_unique<GuardedClient<httplib::ClientImpl>>(request.url.host, request.url.port, exchange);
  }
  httplib::ClientImpl& client = *owned;
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
    exchange.head_done = true;
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
  if (!exchange.head_problem.empty()) {
    return {TransferResult::Outcome::bad_response, exchange.head_problem};
  }
  if (exchange.send_failed && !head_seen) {
    return {TransferResult::Outcome::broken, "connection lost while sending"};
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
