#pragma once
// What the tests of the Durable Streams server share: durable::Server over a MemoryStore behind
// net::HttpServer on 127.0.0.1 (a free port), its loop on a thread of its own with a stack of
// a chosen size, and a client on a blocking socket that sends raw (possibly pipelined)
// requests and parses the responses. Every read has a deadline.

#include "durable/server/server.hpp"
#include "net/event_loop.hpp"
#include "net/http_server.hpp"
#include "store/memory_store.hpp"

#include "loop_server_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace durable_server_test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline constexpr auto k_patience = 20s; ///< how long a test waits for what should come at once

/// The server; STACK_BYTES is the stack of its loop thread (a small one makes deep recursion
/// on the request path crash at a modest depth).
class DurableServer {
public:
  explicit DurableServer(std::size_t stack_bytes = 8 << 20)
    : protocol(loop, store, durable::ServerOptions{}),
      http(loop, loopback(),
           [this](const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection) {
             protocol.handle(request, connection);
           })
  {
    http.listen();
    protocol.set_base_url("http://127.0.0.1:" + std::to_string(http.port()));
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_bytes);
    const int error = pthread_create(
      &m_thread, &attr,
      [](void* self) -> void* {
        static_cast<DurableServer*>(self)->loop.run();
        return nullptr;
      },
      this);
    pthread_attr_destroy(&attr);
    EXPECT_EQ(error, 0) << std::strerror(error);
  }
  ~DurableServer()
  {
    loop.post([this]() {
      protocol.shutdown();
      loop.stop();
    });
    pthread_join(m_thread, nullptr);
  }
  DurableServer(const DurableServer&) = delete;
  DurableServer& operator=(const DurableServer&) = delete;

  std::uint16_t port() const { return http.port(); }

  /// Runs WORK on the loop thread and returns its result.
  template <typename Work> auto on_loop(Work work) -> decltype(work())
  {
    return test_support::run_on_loop(loop, std::move(work), k_patience);
  }

  store::MemoryStore store;
  net::EventLoop loop;
  durable::Server protocol;
  net::HttpServer http;

private:
  static net::ServerOptions loopback()
  {
    net::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }
  pthread_t m_thread{};
};

/// One response as it came.
struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers; ///< names in lower case
  std::string body;                                         ///< decoded
  bool chunked = false;

  const std::string* header(std::string_view name) const
  {
    for (const auto& [key, value] : headers) {
      if (key == name) {
        return &value;
      }
    }
    return nullptr;
  }
  std::string value(std::string_view name) const
  {
    const std::string* found = header(name);
    return found != nullptr ? *found : std::string("(none)");
  }
};

/// A raw HTTP request.
inline std::string request(const std::string& method, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           const std::string& body = {})
{
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) {
    text += name + ": " + value + "\r\n";
  }
  if (!body.empty() || method == "PUT" || method == "POST") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return text + "\r\n" + body;
}

class Client {
public:
  /// RECEIVE_BUFFER: a small SO_RCVBUF makes a slow reader.
  explicit Client(std::uint16_t port, int receive_buffer = 0)
    : m_fd(test_support::connect_loopback(port, receive_buffer))
  {
  }
  ~Client()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void send(std::string_view bytes)
  {
    EXPECT_TRUE(test_support::send_all(m_fd, bytes)) << std::strerror(errno);
  }

  /// Sends one request and returns its response.
  std::optional<Response> exchange(const std::string& raw)
  {
    send(raw);
    return next();
  }

  /// The next response, whole; nullopt (and a failure) when it does not come by the deadline.
  std::optional<Response> next()
  {
    const auto deadline = Clock::now() + k_patience;
    while (true) {
      if (auto response = take()) {
        return response;
      }
      if (!receive(deadline)) {
        ADD_FAILURE() << "no whole response; " << (m_buffer.size() - m_pos) << " bytes unread: "
                      << m_buffer.substr(m_pos, 300);
        return std::nullopt;
      }
    }
  }

  /// The head of the next response, its body left unread; nullopt by the deadline.
  std::optional<Response> next_head()
  {
    const auto deadline = Clock::now() + k_patience;
    while (m_buffer.find("\r\n\r\n", m_pos) == std::string::npos) {
      if (!receive(deadline)) {
        ADD_FAILURE() << "no response head";
        return std::nullopt;
      }
    }
    Response response;
    m_pos = parse_head(response);
    return response;
  }

  bool eof() const { return m_eof; }

  /// Receives what comes within the deadline and throws it away; returns how many bytes.
  std::size_t drain()
  {
    const std::size_t before = m_buffer.size() - m_pos;
    receive(Clock::now() + k_patience);
    const std::size_t got = m_buffer.size() - m_pos - before;
    m_buffer.clear();
    m_pos = 0;
    return got + before;
  }

private:
  /// Receives more; false at the deadline or the end of the connection.
  bool receive(Clock::time_point deadline)
  {
    if (m_pos > (1 << 20)) {
      m_buffer.erase(0, m_pos);
      m_pos = 0;
    }
    while (!m_eof) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        return false;
      }
      pollfd watch{m_fd, POLLIN, 0};
      const int ready = ::poll(&watch, 1, static_cast<int>(left.count()));
      if (ready <= 0) {
        continue;
      }
      char chunk[256 * 1024];
      const ssize_t got = ::recv(m_fd, chunk, sizeof chunk, 0);
      if (got > 0) {
        m_buffer.append(chunk, static_cast<std::size_t>(got));
        return true;
      }
      if (got == 0 || errno == ECONNRESET) {
        m_eof = true;
      }
    }
    return false;
  }

  /// Parses the head at m_pos into RESPONSE; returns where the body starts.
  std::size_t parse_head(Response& response) const
  {
    const std::size_t end = m_buffer.find("\r\n\r\n", m_pos);
    std::string_view head = std::string_view(m_buffer).substr(m_pos, end + 2 - m_pos);
    const auto first = head.find("\r\n");
    const std::string_view status_line = head.substr(0, first);
    if (status_line.size() >= 12) {
      response.status = std::stoi(std::string(status_line.substr(9, 3)));
    }
    head.remove_prefix(first + 2);
    while (!head.empty()) {
      const auto eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      head.remove_prefix(eol + 2);
      const auto colon = line.find(':');
      std::string name(line.substr(0, colon));
      for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      std::string value(line.substr(colon + 1));
      value.erase(0, value.find_first_not_of(' '));
      response.headers.emplace_back(std::move(name), std::move(value));
    }
    return end + 4;
  }

  /// The response at m_pos when it is all there (taken off), else nullopt.
  std::optional<Response> take()
  {
    if (m_buffer.find("\r\n\r\n", m_pos) == std::string::npos) {
      return std::nullopt;
    }
    Response response;
    std::size_t pos = parse_head(response);
    if (response.status == 204 || response.status == 304) {
      m_pos = pos;
      return response;
    }
    if (const std::string* length = response.header("content-length")) {
      const std::size_t size = std::stoul(*length);
      if (m_buffer.size() - pos < size) {
        return std::nullopt;
      }
      response.body = m_buffer.substr(pos, size);
      m_pos = pos + size;
      return response;
    }
    if (response.value("transfer-encoding") != "chunked") {
      ADD_FAILURE() << "a response without Content-Length or chunked framing";
      return std::nullopt;
    }
    response.chunked = true;
    while (true) {
      const auto eol = m_buffer.find("\r\n", pos);
      if (eol == std::string::npos) {
        return std::nullopt;
      }
      const std::size_t size = std::stoul(m_buffer.substr(pos, eol - pos), nullptr, 16);
      if (m_buffer.size() < eol + 2 + size + 2) {
        return std::nullopt;
      }
      response.body.append(m_buffer, eol + 2, size);
      pos = eol + 2 + size + 2;
      if (size == 0) {
        break;
      }
    }
    m_pos = pos;
    return response;
  }

  int m_fd = -1;
  std::string m_buffer;
  std::size_t m_pos = 0;
  bool m_eof = false;
};

} // namespace durable_server_test
