// http::HttplibTransport against a raw TCP server on 127.0.0.1 that sends what a hostile
// server would: response heads over the limits, and a 413 before the body is taken.

#include "http/httplib_transport.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>

namespace {

using Outcome = http::TransferResult::Outcome;

// Accepts one connection, reads the request head, then runs ANSWER with the socket.
class RawServer {
public:
  explicit RawServer(std::function<void(int)> answer)
  {
    m_listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(m_listener, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(::listen(m_listener, 1), 0);
    ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this, answer] {
      const int client = ::accept(m_listener, nullptr, nullptr);
      if (client < 0) {
        return;
      }
      std::string head;
      char byte = 0;
      while (head.find("\r\n\r\n") == std::string::npos && ::recv(client, &byte, 1, 0) == 1) {
        head += byte;
      }
      answer(client);
      ::close(client);
    });
  }
  ~RawServer()
  {
    m_thread.join();
    ::close(m_listener);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/s"; }

private:
  int m_listener = -1;
  int m_port = 0;
  std::thread m_thread;
};

void send_all(int socket, const std::string& text)
{
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(socket, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      return; // the client is gone: it stopped reading, as it should
    }
    sent += static_cast<std::size_t>(n);
  }
}

struct Collect : http::ResponseHandler {
  int status = 0;
  std::string body;
  bool on_head(const http::ResponseHead& head) override
  {
    status = head.status;
    return true;
  }
  bool on_body(std::string_view bytes) override
  {
    body += bytes;
    return true;
  }
};

// A 200 with LINES header lines of WIDTH bytes each, then "ok".
std::function<void(int)> head_of(std::size_t lines, std::size_t width)
{
  return [=](int socket) {
    std::string text = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
    for (std::size_t i = 0; i < lines; ++i) {
      std::string line = "X-" + std::to_string(i) + ": ";
      line.append(width - line.size() - 2, 'a');
      text += line + "\r\n";
    }
    send_all(socket, text + "\r\nok");
  };
}

http::TransferResult fetch(const RawServer& server, Collect& collect, std::size_t max_head = 256 * 1024)
{
  http::Request request;
  request.url = http::parse_url(server.url());
  request.max_head_size = max_head;
  http::HttplibTransport transport;
  return transport.send(request, collect);
}

TEST(HttpHttplibTransport, AHeadWithinTheLimitsIsRead)
{
  RawServer server(head_of(1990, 100));
  Collect collect;
  const auto result = fetch(server, collect);
  EXPECT_EQ(result.outcome, Outcome::completed) << result.message;
  EXPECT_EQ(collect.status, 200);
  EXPECT_EQ(collect.body, "ok");
}

TEST(HttpHttplibTransport, AHeadOverTheSizeLimitIsABadResponse)
{
  RawServer server(head_of(1000, 1000)); // 1 MB offered
  Collect collect;
  const auto result = fetch(server, collect, 64 * 1024);
  EXPECT_EQ(result.outcome, Outcome::bad_response);
  EXPECT_EQ(result.message, "the response headers are larger than 64KiB, the limit");
  EXPECT_EQ(collect.status, 0);
}

TEST(HttpHttplibTransport, TooManyOrOverlongHeaderLinesAreABadResponse)
{
  struct Case {
    std::size_t lines;
    std::size_t line_length;
    const char* message;
  };
  for (const Case& c : {Case{5000, 10, "the response has more than 2000 header lines, the limit"},
                        Case{1, 100000, "a response header line is longer than 8KiB, the limit"}}) {
    RawServer server(head_of(c.lines, c.line_length));
    Collect collect;
    const auto result = fetch(server, collect);
    EXPECT_EQ(result.outcome, Outcome::bad_response) << c.message;
    EXPECT_EQ(result.message, c.message);
  }
}

TEST(HttpHttplibTransport, AnAnswerBeforeTheBodyIsTakenIsRead)
{
  // The server answers 413 and never reads the 32 MB body; the client must hear it.
  RawServer server([](int socket) {
    send_all(socket, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 7\r\nConnection: close\r\n\r\ntoo big");
    // Holds the connection, unread, until the client has closed its side: without noticing
    // the answer it would block on a full socket until its 60 s write timeout.
    pollfd fd{socket, POLLRDHUP, 0};
    ::poll(&fd, 1, 20000);
  });
  http::Request request;
  request.url = http::parse_url(server.url());
  request.method = "POST";
  request.body = std::string(32 * 1024 * 1024, 'x');
  Collect collect;
  http::HttplibTransport transport;
  const auto result = transport.send(request, collect);
  EXPECT_EQ(result.outcome, Outcome::completed) << result.message;
  EXPECT_EQ(collect.status, 413);
  EXPECT_EQ(collect.body, "too big");
}

} // namespace
