// net::HttpServer on 127.0.0.1, its loop on a thread of its own, against a client on plain
// blocking sockets that looks at the raw bytes: whole and streamed (chunked) responses,
// keep-alive, pipelining, HEAD, HTTP/1.0, the error answers, on_close and the request timeout.
// Every read has a deadline; the handler runs on the loop thread and hands what the test
// checks back under a lock.

#include "net/event_loop.hpp"
#include "net/http_server.hpp"

#include "loop_server_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto k_patience = 10s; ///< how long a test waits for what should come at once

// --- the server on its own thread --------------------------------------------------------------

/// What the handler saw, read by the test thread.
struct Seen {
  std::mutex mutex;
  std::vector<std::string> requests; ///< "METHOD target from PEER"
  std::vector<std::string> bodies;

  void add(const net::HttpRequest& request, const net::Connection& connection)
  {
    const std::lock_guard lock(mutex);
    requests.push_back(request.method + " " + request.target + " from " + connection.peer());
    bodies.push_back(request.body);
  }
  std::vector<std::string> all()
  {
    const std::lock_guard lock(mutex);
    return requests;
  }
};

/// Something that happens on the loop thread and a test waits for.
class Flag {
public:
  void set()
  {
    const std::lock_guard lock(m_mutex);
    m_set = true;
    m_changed.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout = k_patience)
  {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [this]() { return m_set; });
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_set = false;
};

class Server {
public:
  using Handler = std::function<void(const net::HttpRequest&, const std::shared_ptr<net::Connection>&)>;

  explicit Server(Handler handler, net::ServerOptions options = {})
    : server(loop, with_loopback(std::move(options)),
             [this, handler = std::move(handler)](const net::HttpRequest& request,
                                                   const std::shared_ptr<net::Connection>& connection) {
               seen.add(request, *connection);
               handler(request, connection);
             })
  {
    server.listen();
    thread = std::thread([this]() { loop.run(); });
  }
  ~Server()
  {
    loop.post([this]() { loop.stop(); });
    thread.join();
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Runs WORK on the loop thread and returns its result.
  template <typename Work> auto on_loop(Work work) -> decltype(work())
  {
    return test_support::run_on_loop(loop, std::move(work), k_patience);
  }

  std::uint16_t port() const { return server.port(); }

  net::EventLoop loop;
  Seen seen;
  net::HttpServer server;
  std::thread thread;

private:
  static net::ServerOptions with_loopback(net::ServerOptions options)
  {
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }
};

/// A handler that answers /slow 30 ms later, on the loop of SELF (set once the server is
/// made), and any other path at once with the path without its slash: the requests behind a
/// slow one wait their turn.
Server::Handler slow_or_path(Server*& self)
{
  return [&self](const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection) {
    if (request.path == "/slow") {
      self->loop.after(30ms, [connection]() { connection->respond(200, {}, "slow"); });
    } else {
      connection->respond(200, {}, std::string(request.path.substr(1)));
    }
  };
}

// --- a client on a blocking socket -------------------------------------------------------------

class Client {
public:
  /// RECEIVE_BUFFER: a small SO_RCVBUF makes a slow reader.
  explicit Client(std::uint16_t port, int receive_buffer = 0)
    : m_fd(test_support::connect_loopback(port, receive_buffer))
  {
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void send(std::string_view bytes)
  {
    EXPECT_TRUE(test_support::send_all(m_fd, bytes)) << std::strerror(errno);
  }

  /// Sends BYTES; false when the connection broke first (a reset, or the server gone).
  bool try_send(std::string_view bytes) { return test_support::send_all(m_fd, bytes); }

  /// Ends the sending side only: the server sees the end of the requests.
  void shutdown_write() { ::shutdown(m_fd, SHUT_WR); }

  void close()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }

  /// Reads until DONE(received) holds, the server closes, or the deadline; returns DONE's
  /// verdict.
  template <typename Done> bool read_until(Done done, std::chrono::milliseconds patience = k_patience)
  {
    const auto deadline = Clock::now() + patience;
    while (!done(received)) {
      if (eof) {
        return false;
      }
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        return false;
      }
      pollfd watch{m_fd, POLLIN, 0};
      const int ready = ::poll(&watch, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno != EINTR) {
        ADD_FAILURE() << "poll: " << std::strerror(errno);
        return false;
      }
      if (ready <= 0) {
        continue;
      }
      char buffer[64 * 1024];
      const ssize_t got = ::recv(m_fd, buffer, sizeof buffer, 0);
      if (got > 0) {
        received.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno == ECONNRESET) {
        eof = true;
        reset = got < 0;
      } else if (errno != EINTR) {
        ADD_FAILURE() << "recv: " << std::strerror(errno);
        return false;
      }
    }
    return true;
  }

  /// Reads until the server closes the connection; false at the deadline.
  bool read_to_eof(std::chrono::milliseconds patience = k_patience)
  {
    read_until([](const std::string&) { return false; }, patience);
    return eof;
  }

  std::string received; ///< everything not taken off yet
  bool eof = false;
  bool reset = false; ///< the end was a reset, not a FIN

private:
  int m_fd = -1;
};

/// One response as it came.
struct Response {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers; ///< names in lower case
  std::string body;     ///< decoded
  std::string raw_body; ///< as sent (chunk framing included)

  const std::string* header(std::string_view name) const
  {
    for (const auto& [key, value] : headers) {
      if (key == name) {
        return &value;
      }
    }
    return nullptr;
  }
  bool has(std::string_view name, std::string_view value) const
  {
    const std::string* found = header(name);
    return found != nullptr && *found == value;
  }
};

std::string lower(std::string text)
{
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

/// Takes the response at the front of BUFFER off it, when it is all there. HEAD_ONLY: the
/// response to a HEAD request, which has no body; EOF: the connection has ended, so a body
/// without framing ends here.
std::optional<Response> take_response(std::string& buffer, bool head_only = false, bool eof = false)
{
  const auto head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    return std::nullopt;
  }
  Response response;
  std::string_view head = std::string_view(buffer).substr(0, head_end + 2);
  const auto first = head.find("\r\n");
  response.status_line = head.substr(0, first);
  head.remove_prefix(first + 2);
  if (response.status_line.size() >= 12 && response.status_line.compare(0, 9, "HTTP/1.1 ") == 0) {
    response.status = std::stoi(response.status_line.substr(9, 3));
  }
  while (!head.empty()) {
    const auto end = head.find("\r\n");
    const std::string_view line = head.substr(0, end);
    head.remove_prefix(end + 2);
    const auto colon = line.find(':');
    std::string value(line.substr(colon + 1));
    value.erase(0, value.find_first_not_of(' '));
    response.headers.emplace_back(lower(std::string(line.substr(0, colon))), value);
  }
  std::size_t pos = head_end + 4;
  if (head_only) {
    buffer.erase(0, pos);
    return response;
  }
  const std::string* length = response.header("content-length");
  const std::string* coding = response.header("transfer-encoding");
  if (length != nullptr) {
    const std::size_t size = std::stoul(*length);
    if (buffer.size() - pos < size) {
      return std::nullopt;
    }
    response.body = buffer.substr(pos, size);
    response.raw_body = response.body;
    buffer.erase(0, pos + size);
    return response;
  }
  if (coding != nullptr && *coding == "chunked") {
    const std::size_t start = pos;
    while (true) {
      const auto eol = buffer.find("\r\n", pos);
      if (eol == std::string::npos) {
        return std::nullopt;
      }
      const std::size_t size = std::stoul(buffer.substr(pos, eol - pos), nullptr, 16);
      if (buffer.size() < eol + 2 + size + 2) {
        return std::nullopt;
      }
      response.body += buffer.substr(eol + 2, size);
      pos = eol + 2 + size + 2;
      if (size == 0) {
        break;
      }
    }
    response.raw_body = buffer.substr(start, pos - start);
    buffer.erase(0, pos);
    return response;
  }
  if (!eof) {
    return std::nullopt;
  }
  response.body = buffer.substr(pos);
  response.raw_body = response.body;
  buffer.clear();
  return response;
}

/// Reads and takes off the next response; a failure when it does not come whole.
std::optional<Response> next_response(Client& client, bool head_only = false)
{
  std::optional<Response> response;
  client.read_until([&](std::string& buffer) {
    response = take_response(buffer, head_only);
    return response.has_value();
  });
  if (!response && client.eof) {
    response = take_response(client.received, head_only, true);
  }
  EXPECT_TRUE(response.has_value()) << "no whole response; received " << client.received.size()
                                    << " bytes: " << client.received.substr(0, 300)
                                    << (client.received.size() > 300 ? "..." : "");
  return response;
}

/// Answers with the target as the body.
void echo(const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection)
{
  connection->respond(200, {{"Content-Type", "text/plain"}}, "you asked for " + request.target);
}

// --- whole responses ---------------------------------------------------------------------------

TEST(HttpServer, RespondsWithContentLength)
{
  Server server([](const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection) {
    connection->respond(201, {{"X-Method", request.method}, {"X-Query", std::string(request.query)}},
                        "hello");
  });
  Client client(server.port());
  client.send("GET /path?a=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_line, "HTTP/1.1 201 Created");
  EXPECT_TRUE(response->has("content-length", "5"));
  EXPECT_TRUE(response->has("x-method", "GET"));
  EXPECT_TRUE(response->has("x-query", "a=1"));
  EXPECT_EQ(response->header("connection"), nullptr) << "keep-alive is the default";
  EXPECT_EQ(response->body, "hello");
  EXPECT_TRUE(client.received.empty()) << "nothing after the body: " << client.received;
  EXPECT_EQ(server.seen.all().size(), 1U);
}

TEST(HttpServer, RequestBodiesReachTheHandler)
{
  Server server(echo);
  Client client(server.port());
  client.send("POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
              "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(next_response(client));
  ASSERT_TRUE(next_response(client));
  const std::lock_guard lock(server.seen.mutex);
  EXPECT_EQ(server.seen.bodies, (std::vector<std::string>{"hello", "abcde"}));
}

TEST(HttpServer, NoContentHasNoLengthAndNoBody)
{
  Server server([](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->respond(204, {}, "ignored");
  });
  Client client(server.port());
  client.send("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  for (int i = 0; i < 2; ++i) {
    const auto response = next_response(client, true);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 204);
    EXPECT_EQ(response->header("content-length"), nullptr);
  }
  EXPECT_TRUE(client.received.empty()) << client.received;
}

TEST(HttpServer, KeepAliveServesTwoRequestsOnOneConnection)
{
  Server server(echo);
  Client client(server.port());
  client.send("GET /first HTTP/1.1\r\n\r\n");
  const auto first = next_response(client);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "you asked for /first");
  client.send("GET /second HTTP/1.1\r\n\r\n");
  const auto second = next_response(client);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "you asked for /second");
  const auto seen = server.seen.all();
  ASSERT_EQ(seen.size(), 2U);
  // The same peer address and port: the same connection.
  EXPECT_EQ(seen[0].substr(seen[0].find(" from ")), seen[1].substr(seen[1].find(" from ")));
  EXPECT_EQ(server.on_loop([&]() { return server.server.connection_count(); }), 1U);
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder)
{
  Server* self = nullptr;
  Server server(slow_or_path(self));
  self = &server;
  Client client(server.port());
  client.send("GET /slow HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\nGET /slow HTTP/1.1\r\n\r\n"
              "GET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
  std::vector<std::string> bodies;
  for (int i = 0; i < 5; ++i) {
    const auto response = next_response(client);
    ASSERT_TRUE(response);
    bodies.push_back(response->body);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"slow", "a", "slow", "b", "c"}));
}

TEST(HttpServer, HeadGetsTheHeadOnly)
{
  Server server([](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->respond(200, {{"Content-Type", "text/plain"}}, "hello");
  });
  Client client(server.port());
  client.send("HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  const auto head = next_response(client, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->has("content-length", "5")) << "the length a GET would get";
  // The next bytes are the GET's response: the HEAD's had no body.
  const auto get = next_response(client);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(get->body, "hello");
}

TEST(HttpServer, HeadOfAStreamGetsTheHeadOnly)
{
  Server server([](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->start_stream(200, {{"Content-Type", "text/event-stream"}});
    connection->write("ignored");
    connection->end_stream();
  });
  Client client(server.port());
  client.send("HEAD /s HTTP/1.1\r\n\r\nHEAD /s HTTP/1.1\r\n\r\n");
  for (int i = 0; i < 2; ++i) {
    const auto head = next_response(client, true);
    ASSERT_TRUE(head);
    EXPECT_TRUE(head->has("content-type", "text/event-stream"));
  }
  // Nothing else comes: no body, no chunk; the connection stays open.
  client.read_until([](const std::string& received) { return !received.empty(); }, 50ms);
  EXPECT_TRUE(client.received.empty()) << client.received;
  EXPECT_FALSE(client.eof);
}

TEST(HttpServer, Http10GetsConnectionClose)
{
  Server server(echo);
  Client client(server.port());
  client.send("GET /old HTTP/1.0\r\n\r\n");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_line, "HTTP/1.1 200 OK");
  EXPECT_TRUE(response->has("connection", "close"));
  EXPECT_EQ(response->body, "you asked for /old");
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_TRUE(client.received.empty());
}

TEST(HttpServer, Http10KeepAliveIsNotHonoured)
{
  // HTTP/1.0 connections close after one response, whatever they ask for.
  Server server(echo);
  Client client(server.port());
  client.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /more HTTP/1.0\r\n\r\n");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->has("connection", "close"));
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_TRUE(client.received.empty()) << "the second request is not answered";
}

TEST(HttpServer, ConnectionCloseIsHonoured)
{
  Server server(echo);
  Client client(server.port());
  client.send("GET /bye HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->has("connection", "close"));
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_TRUE(client.received.empty());
  EXPECT_EQ(server.seen.all().size(), 1U);
}

// --- streamed responses ------------------------------------------------------------------------

TEST(HttpServer, AStreamIsChunked)
{
  Server* self = nullptr;
  Server server([&self](const net::HttpRequest& request,
                        const std::shared_ptr<net::Connection>& connection) {
    if (request.path != "/stream") {
      echo(request, connection);
      return;
    }
    connection->start_stream(200, {{"Content-Type", "text/event-stream"}});
    EXPECT_TRUE(connection->streaming());
    connection->write("hello");
    connection->write(""); // nothing: no chunk (an empty one would end the body)
    self->loop.after(10ms, [connection]() {
      connection->write(net::make_shared_chunk("world!"));
      connection->write(std::string(300, 'x'));
      connection->end_stream();
      EXPECT_FALSE(connection->streaming());
    });
  });
  self = &server;
  Client client(server.port());
  client.send("GET /stream HTTP/1.1\r\n\r\n");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->has("transfer-encoding", "chunked"));
  EXPECT_EQ(response->header("content-length"), nullptr);
  EXPECT_EQ(response->raw_body,
            "5\r\nhello\r\n6\r\nworld!\r\n12c\r\n" + std::string(300, 'x') + "\r\n0\r\n\r\n");
  // The connection serves the next request.
  client.send("GET /next HTTP/1.1\r\n\r\n");
  const auto next = next_response(client);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "you asked for /next");
}

TEST(HttpServer, AnHttp10StreamIsPlainAndEndsByClosing)
{
  Server server([](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->start_stream(200, {{"Content-Type", "text/event-stream"}});
    connection->write("hello ");
    connection->write(net::make_shared_chunk("world"));
    connection->end_stream();
  });
  Client client(server.port());
  client.send("GET /stream HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(client.read_to_eof());
  const auto response = take_response(client.received, false, true);
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->has("connection", "close"));
  EXPECT_EQ(response->header("transfer-encoding"), nullptr);
  EXPECT_EQ(response->raw_body, "hello world");
}

TEST(HttpServer, CloseAfterFlushDuringAStreamEndsWithoutTheLastChunk)
{
  Flag closed;
  Server server([&closed](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->on_close([&closed]() { closed.set(); });
    connection->start_stream(200, {{"Content-Type", "text/event-stream"}});
    connection->write("hello");
    connection->close_after_flush();
    connection->write("dropped"); // the stream is over
  });
  Client client(server.port());
  client.send("GET /stream HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(client.read_to_eof());
  EXPECT_FALSE(client.reset) << "a clean close";
  const auto head_end = client.received.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << client.received;
  EXPECT_NE(client.received.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(client.received.substr(head_end + 4), "5\r\nhello\r\n");
  EXPECT_TRUE(closed.wait());
}

TEST(HttpServer, AbortDropsWhatIsQueued)
{
  Server server([](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->start_stream(200, {});
    connection->write("hello");
    connection->abort();
    EXPECT_FALSE(connection->open());
  });
  Client client(server.port());
  client.send("GET /stream HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(client.read_to_eof());
  EXPECT_EQ(client.received, "");
}

TEST(HttpServer, SharedChunksAreFramedForEachConnection)
{
  // One chunk written to an HTTP/1.1 and an HTTP/1.0 stream: framed for one, plain for the
  // other.
  const auto chunk = net::make_shared_chunk("data: x\n\n");
  EXPECT_EQ(chunk->plain, "data: x\n\n");
  EXPECT_EQ(chunk->framed, "9\r\ndata: x\n\n\r\n");
  Server server([chunk](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->start_stream(200, {});
    connection->write(chunk);
    connection->write(chunk);
    connection->end_stream();
  });
  Client modern(server.port());
  Client old(server.port());
  modern.send("GET / HTTP/1.1\r\n\r\n");
  old.send("GET / HTTP/1.0\r\n\r\n");
  const auto framed = next_response(modern);
  ASSERT_TRUE(framed);
  EXPECT_EQ(framed->raw_body, chunk->framed + chunk->framed + "0\r\n\r\n");
  ASSERT_TRUE(old.read_to_eof());
  const auto plain = take_response(old.received, false, true);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->raw_body, chunk->plain + chunk->plain);
}

TEST(HttpServer, ASharedChunkKeepsTheFramingOfTheStreamItWasWrittenTo)
{
  // A chunked HTTP/1.1 stream that ends, then a pipelined HTTP/1.0 request on the same
  // connection that streams too, answered in the same round: the shared chunk of the first
  // response is still queued when the second switches the connection to plain output.
  Server server([](const net::HttpRequest& request,
                   const std::shared_ptr<net::Connection>& connection) {
    connection->start_stream(200, {});
    if (request.path == "/first") {
      connection->write(net::make_shared_chunk("hello"));
    } else {
      connection->write("bye");
    }
    connection->end_stream();
  });
  Client client(server.port());
  client.send("GET /first HTTP/1.1\r\n\r\nGET /second HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(client.read_to_eof());
  const auto head_end = client.received.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << client.received;
  const std::string expected_body = "5\r\nhello\r\n0\r\n\r\n";
  EXPECT_EQ(client.received.substr(head_end + 4, expected_body.size()), expected_body)
    << "all received: " << client.received;
  if (client.received.compare(head_end + 4, expected_body.size(), expected_body) == 0) {
    client.received.erase(0, head_end + 4 + expected_body.size());
    const auto second = take_response(client.received, false, true);
    ASSERT_TRUE(second) << client.received;
    EXPECT_EQ(second->raw_body, "bye");
  }
}

// --- errors ------------------------------------------------------------------------------------

/// Sends BYTES and expects an error answer with STATUS, then the end of the connection.
void expect_error(Server& server, std::string_view bytes, int status)
{
  Client client(server.port());
  client.send(bytes);
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, status) << response->status_line;
  EXPECT_TRUE(response->has("connection", "close"));
  EXPECT_FALSE(response->body.empty());
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_TRUE(client.received.empty()) << client.received;
  EXPECT_TRUE(server.seen.all().empty()) << "the handler never sees it";
}

TEST(HttpServer, GarbageGets400)
{
  Server server(echo);
  expect_error(server, "hello there\r\n\r\n", 400);
  expect_error(server, "GET / HTTP/9.9\r\n\r\n", 400);
}

TEST(HttpServer, AnOversizedHeadGets431)
{
  net::ServerOptions options;
  options.limits.max_head = 1024;
  Server server(echo, options);
  // Not finished yet, but already too large.
  expect_error(server, "GET / HTTP/1.1\r\nX-Pad: " + std::string(2000, 'p'), 431);
  expect_error(server, "GET / HTTP/1.1\r\nX-Pad: " + std::string(2000, 'p') + "\r\n\r\n", 431);
}

TEST(HttpServer, ATooLargeBodyGets413)
{
  net::ServerOptions options;
  options.limits.max_body = 10;
  Server server(echo, options);
  expect_error(server, "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n", 413);
  expect_error(server, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n", 413);
}

TEST(HttpServer, AnUnknownTransferCodingGets501)
{
  Server server(echo);
  expect_error(server, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
}

TEST(HttpServer, AFramingThatIsNotChunkedLastGets400)
{
  // RFC 9112 §6.3: chunked, then gzip on a second line, is not a length anyone can know.
  Server server(echo);
  expect_error(server,
               "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n"
               "3\r\nabc\r\n0\r\n\r\n",
               400);
  expect_error(server, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400);
}

TEST(HttpServer, ABareCrInAHeaderValueGets400)
{
  Server server(echo);
  expect_error(server,
               "PUT /s HTTP/1.1\r\nContent-Type: text/plain\rX-Injected: yes\r\n"
               "Content-Length: 0\r\n\r\n",
               400);
  expect_error(server, std::string("GET / HTTP/1.1\r\nX: a\0b\r\n\r\n", 26), 400);
}

/// Whether the head at the front of BYTES has CR and LF only as CRLF pairs, and no NUL.
bool clean_head(std::string_view bytes)
{
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return false;
  }
  const std::string_view head = bytes.substr(0, end + 4);
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\0' || (head[i] == '\r' && (i + 1 == head.size() || head[i + 1] != '\n')) ||
        (head[i] == '\n' && (i == 0 || head[i - 1] != '\r'))) {
      return false;
    }
  }
  return true;
}

TEST(HttpServer, AResponseHeadNeverCarriesALineBreakFromAHeaderValue)
{
  // A value stored before the reader refused such bytes, echoed back: it must not become a
  // header of its own.
  const net::Headers headers = {{"Content-Type", "text/plain\rX-Injected: yes"},
                                {"X-Lf", "a\nX-Injected: yes"},
                                {"X-Nul", std::string("a\0b", 3)},
                                {"X-Fine", "ok"}};
  Server server([&headers](const net::HttpRequest& request,
                           const std::shared_ptr<net::Connection>& connection) {
    if (request.path == "/stream") {
      connection->start_stream(200, headers);
      connection->end_stream();
    } else {
      connection->respond(200, headers, "body");
    }
  });
  for (const char* path : {"/whole", "/stream"}) {
    Client client(server.port());
    client.send(std::string("GET ") + path + " HTTP/1.1\r\n\r\n");
    ASSERT_TRUE(client.read_until(
      [](const std::string& received) { return received.find("\r\n\r\n") != std::string::npos; }));
    EXPECT_TRUE(clean_head(client.received)) << path << ": " << client.received;
    const auto response = next_response(client);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->header("x-injected"), nullptr) << path;
    EXPECT_TRUE(response->has("x-fine", "ok")) << path;
  }
}

TEST(HttpServer, AnErrorAfterAGoodRequestAnswersBoth)
{
  Server server(echo);
  Client client(server.port());
  client.send("GET /ok HTTP/1.1\r\n\r\nBROKEN\r\n\r\n");
  const auto good = next_response(client);
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  const auto bad = next_response(client);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(client.read_to_eof());
}

TEST(HttpServer, ReasonPhrases)
{
  EXPECT_EQ(net::reason_phrase(200), "OK");
  EXPECT_EQ(net::reason_phrase(404), "Not Found");
  EXPECT_EQ(net::reason_phrase(413), "Content Too Large");
  EXPECT_EQ(net::reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(net::reason_phrase(599), "Status");
}

// --- closing -----------------------------------------------------------------------------------

TEST(HttpServer, OnCloseRunsWhenTheClientDisconnects)
{
  Flag started;
  Flag closed;
  std::atomic<int> close_calls = 0;
  Server server([&](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->on_close([&]() {
      ++close_calls;
      closed.set();
    });
    connection->start_stream(200, {{"Content-Type", "text/event-stream"}});
    connection->write(": hi\n\n");
    started.set();
  });
  Client client(server.port());
  client.send("GET /stream HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(started.wait());
  ASSERT_TRUE(client.read_until(
    [](const std::string& received) { return received.find(": hi\n\n") != std::string::npos; }));
  EXPECT_EQ(server.on_loop([&]() { return server.server.connection_count(); }), 1U);
  client.close();
  ASSERT_TRUE(closed.wait());
  EXPECT_EQ(server.on_loop([&]() { return server.server.connection_count(); }), 0U);
  EXPECT_EQ(close_calls, 1);
}

TEST(HttpServer, TheRequestTimeoutClosesAnIdleConnection)
{
  net::ServerOptions options;
  options.request_timeout = 100ms;
  Server server(echo, options);
  const auto start = Clock::now();
  Client silent(server.port());
  Client partial(server.port());
  partial.send("GET / HTTP/1.1\r\nHost: x\r\n");
  ASSERT_TRUE(silent.read_to_eof());
  ASSERT_TRUE(partial.read_to_eof());
  EXPECT_GE(Clock::now() - start, 100ms);
  EXPECT_TRUE(silent.received.empty());
  EXPECT_TRUE(partial.received.empty()) << "closed without an answer: " << partial.received;
  EXPECT_TRUE(server.seen.all().empty());
}

TEST(HttpServer, TheRequestTimeoutStartsAgainAfterEachResponse)
{
  net::ServerOptions options;
  options.request_timeout = 100ms;
  Server server(echo, options);
  Client client(server.port());
  client.send("GET /one HTTP/1.1\r\n\r\n");
  const auto start = Clock::now();
  ASSERT_TRUE(next_response(client));
  ASSERT_TRUE(client.read_to_eof());
  EXPECT_GE(Clock::now() - start, 100ms);
}

TEST(HttpServer, TheRequestTimeoutLeavesAStreamAlone)
{
  net::ServerOptions options;
  options.request_timeout = 20ms;
  Server* self = nullptr;
  Server server(
    [&self](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
      connection->start_stream(200, {});
      // Ends well after the timeout would have struck an idle connection.
      self->loop.after(150ms, [connection]() {
        connection->write("late");
        connection->end_stream();
      });
    },
    options);
  self = &server;
  Client client(server.port());
  client.send("GET / HTTP/1.1\r\n\r\n");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "late");
}

TEST(HttpServer, TheRequestTimeoutDoesNotCutAResponseStillBeingWritten)
{
  // A keep-alive response larger than the socket buffers, to a client that reads slowly:
  // while the server is still writing it the connection is not waiting for a request.
  net::ServerOptions options;
  options.request_timeout = 100ms;
  const std::string body(16 * 1024 * 1024, 'b');
  Server server(
    [&body](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
      connection->respond(200, {}, body);
    },
    options);
  Client client(server.port(), 4096);
  client.send("GET /big HTTP/1.1\r\n\r\n");
  // The client is slow: it reads nothing for three times the request timeout. (A pause that
  // makes the client slow, not a wait for something to happen.)
  std::this_thread::sleep_for(300ms);
  const auto response = next_response(client);
  ASSERT_TRUE(response) << "received " << client.received.size() << " bytes, then "
                        << (client.reset ? "a reset" : client.eof ? "the end" : "nothing");
  EXPECT_EQ(response->body.size(), body.size());
}

// --- bounds on what a connection may make the server hold ---------------------------------------

/// Waits until the server has COUNT connections; false at the deadline.
bool wait_for_connections(Server& server, std::size_t count)
{
  const auto deadline = Clock::now() + k_patience;
  while (Clock::now() < deadline) {
    if (server.on_loop([&]() { return server.server.connection_count(); }) == count) {
      return true;
    }
    std::this_thread::sleep_for(5ms); // polling a condition, with a deadline
  }
  return false;
}

TEST(HttpServer, PipelinedRequestsWaitWhileTheOutputIsOverItsBound)
{
  // A client that pipelines GETs and reads nothing: the server answers until the unsent
  // output passes the bound, then reads no further request until the client reads.
  net::ServerOptions options;
  options.max_unsent_output = 256 * 1024;
  const std::string body(64 * 1024, 'r');
  std::mutex mutex;
  std::size_t most_unsent = 0;
  Server server(
    [&](const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection) {
      {
        const std::lock_guard lock(mutex);
        most_unsent = std::max(most_unsent, connection->queued_bytes());
      }
      connection->respond(200, {}, body + request.path);
    },
    options);
  Client client(server.port(), 4096);
  constexpr int k_requests = 200;
  std::string requests;
  for (int i = 0; i < k_requests; ++i) {
    requests += "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
  }
  client.send(requests);
  for (int i = 0; i < k_requests; ++i) {
    const auto response = next_response(client);
    ASSERT_TRUE(response) << "response " << i;
    ASSERT_EQ(response->body, body + "/" + std::to_string(i));
  }
  const std::lock_guard lock(mutex);
  EXPECT_LE(most_unsent, options.max_unsent_output)
    << "a request was answered while more than the bound was unsent";
}

TEST(HttpServer, AFloodingConnectionDoesNotStarveAnother)
{
  // The loop is held while one client pipelines 32 KB of requests and another sends one; once
  // it runs, the second must be answered after at most a read budget of the first's.
  net::ServerOptions options;
  options.read_budget = 1024;
  std::atomic<int> flood_seen = 0;
  std::atomic<int> flood_before_other = -1;
  Flag other_seen;
  Server server(
    [&](const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection) {
      if (request.path == "/other") {
        flood_before_other = flood_seen.load();
        other_seen.set();
      } else {
        ++flood_seen;
      }
      connection->respond(204, {}, "");
    },
    options);
  Flag held;
  Flag release;
  server.loop.post([&]() {
    held.set();
    release.wait();
  });
  ASSERT_TRUE(held.wait());
  Client flood(server.port());
  Client other(server.port());
  std::string requests;
  while (requests.size() < 32 * 1024) {
    requests += "GET /f HTTP/1.1\r\n\r\n";
  }
  flood.send(requests);
  other.send("GET /other HTTP/1.1\r\n\r\n");
  release.set();
  ASSERT_TRUE(other_seen.wait());
  EXPECT_LT(flood_before_other.load(), 200) << "the flooding connection was read until it ran dry";
}

TEST(HttpServer, ExpectContinueGets100BeforeTheBody)
{
  Server server([](const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection) {
    connection->respond(200, {}, request.body);
  });
  Client client(server.port());
  client.send("POST / HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  ASSERT_TRUE(client.read_until(
    [](const std::string& received) { return received == "HTTP/1.1 100 Continue\r\n\r\n"; }))
    << client.received;
  client.received.clear();
  client.send("hello");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  // A request whose body came with its head needs no 100.
  client.send("POST / HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi");
  const auto whole = next_response(client);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200) << whole->status_line;
}

TEST(HttpServer, ExpectContinueOverTheLimitGets413Without100)
{
  net::ServerOptions options;
  options.limits.max_body = 10;
  Server server(echo, options);
  Client client(server.port());
  client.send("POST / HTTP/1.1\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413) << response->status_line;
  client.shutdown_write();
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_FALSE(client.reset);
}

TEST(HttpServer, A413ArrivesWhileTheBodyIsStillBeingSent)
{
  // The client sends its whole body before it reads (as most do without Expect): the server
  // answers 413 at once, then reads and drops the body, so no reset destroys the answer.
  net::ServerOptions options;
  options.limits.max_body = 1024;
  Server server(echo, options);
  Client client(server.port());
  const std::string body(4 * 1024 * 1024, 'b');
  client.send("POST / HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_TRUE(client.try_send(body)) << "the server reset the connection: " << std::strerror(errno);
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  client.shutdown_write();
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_FALSE(client.reset);
  EXPECT_TRUE(wait_for_connections(server, 0));
}

TEST(HttpServer, DrainingAfterAnErrorIsBoundedInTime)
{
  net::ServerOptions options;
  options.limits.max_body = 10;
  options.linger_timeout = 100ms;
  Server server(echo, options);
  Client client(server.port());
  client.send("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nsome of the body");
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  // The client neither sends nor closes: the server gives up waiting.
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_TRUE(wait_for_connections(server, 0));
}

TEST(HttpServer, DrainingAfterAnErrorIsBoundedInBytes)
{
  net::ServerOptions options;
  options.limits.max_body = 10;
  options.linger_bytes = 64 * 1024;
  Server server(echo, options);
  Client client(server.port());
  client.send("POST / HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n");
  // Sends until the server stops reading; bounded by the count, not by the server.
  const std::string piece(64 * 1024, 'b');
  bool broke = false;
  for (int i = 0; i < 1000 && !broke; ++i) {
    broke = !client.try_send(piece);
  }
  EXPECT_TRUE(broke) << "the server read 64 MB of a body it had refused";
  EXPECT_TRUE(wait_for_connections(server, 0));
}

TEST(HttpServer, ARequestFollowedByAHalfCloseIsAnswered)
{
  Server server([](const net::HttpRequest& request, const std::shared_ptr<net::Connection>& connection) {
    connection->respond(200, {}, request.body);
  });
  Client client(server.port());
  client.send("POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  client.shutdown_write();
  const auto response = next_response(client);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "hello");
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_FALSE(client.reset);
  EXPECT_TRUE(client.received.empty()) << client.received;
}

TEST(HttpServer, PipelinedRequestsBeforeAHalfCloseAreAllAnswered)
{
  // Answered later, in order; the unfinished request after them is dropped with the
  // connection.
  Server* self = nullptr;
  Server server(slow_or_path(self));
  self = &server;
  Client client(server.port());
  client.send("GET /slow HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\nGET /unfini");
  client.shutdown_write();
  std::vector<std::string> bodies;
  for (int i = 0; i < 2; ++i) {
    const auto response = next_response(client);
    ASSERT_TRUE(response);
    bodies.push_back(response->body);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"slow", "a"}));
  EXPECT_TRUE(client.read_to_eof());
  EXPECT_TRUE(client.received.empty()) << client.received;
  EXPECT_TRUE(wait_for_connections(server, 0));
}

TEST(HttpServer, AHalfCloseDuringAStreamEndsIt)
{
  // An event-stream client that stops sending has left: the stream is not kept for it.
  Flag started;
  Flag closed;
  Server server([&](const net::HttpRequest&, const std::shared_ptr<net::Connection>& connection) {
    connection->on_close([&closed]() { closed.set(); });
    connection->start_stream(200, {{"Content-Type", "text/event-stream"}});
    started.set();
  });
  Client client(server.port());
  client.send("GET /stream HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(started.wait());
  client.shutdown_write();
  EXPECT_TRUE(closed.wait());
}

TEST(HttpServer, ListensOnAChosenPort)
{
  Server server(echo);
  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(server.server.host(), "127.0.0.1");
}

TEST(HttpServer, ListeningOnABadAddressThrows)
{
  net::EventLoop loop;
  net::ServerOptions options;
  options.host = "192.0.2.1"; // TEST-NET-1: no interface here has it
  net::HttpServer server(loop, options, echo);
  EXPECT_ANY_THROW(server.listen());
}

} // namespace
