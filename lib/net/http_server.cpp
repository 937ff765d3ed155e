// HttpServer: the listening socket, accepting connections, and ending them all (drain).
#include "net/http_server.hpp"

#include "util/error.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace net {
namespace {

std::string describe_peer(const sockaddr_storage& address)
{
  char host[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (address.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &in.sin_addr, host, sizeof host);
    port = ntohs(in.sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
    port = ntohs(in6.sin6_port);
  }
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

} // namespace

HttpServer::HttpServer(EventLoop& loop, ServerOptions options, Handler handler)
  : m_loop(loop), m_options(std::move(options)), m_handler(std::move(handler))
{
}

HttpServer::~HttpServer()
{
  stop_accepting();
  auto connections = std::move(m_connections);
  m_connections.clear();
  for (auto& [fd, connection] : connections) {
    connection->m_on_close = nullptr;
    connection->close_now();
  }
}

void HttpServer::listen()
{
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  std::string host = m_options.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string where = m_options.host + ":" + std::to_string(m_options.port);
  addrinfo* found = nullptr;
  if (const int status = ::getaddrinfo(host.c_str(), std::to_string(m_options.port).c_str(),
                                       &hints, &found);
      status != 0) {
    throw util::Error(util::Errc::runtime,
                      "cannot resolve address to listen on: " + std::string(gai_strerror(status)),
                      where);
  }
  int error = 0;
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            address->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, address->ai_addr, address->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      error = errno;
      ::close(fd);
      continue;
    }
    sockaddr_storage bound = {};
    socklen_t length = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
    m_port = bound.ss_family == AF_INET6
               ? ntohs(reinterpret_cast<const sockaddr_in6&>(bound).sin6_port)
               : ntohs(reinterpret_cast<const sockaddr_in&>(bound).sin_port);
    m_listen_fd = fd;
    break;
  }
  ::freeaddrinfo(found);
  if (m_listen_fd < 0) {
    throw util::Error(util::Errc::runtime,
                      std::string("cannot listen: ") + std::strerror(error), where);
  }
  m_loop.add(m_listen_fd, EPOLLIN, [this](std::uint32_t) { accept_ready(); });
}

void HttpServer::accept_ready()
{
  while (m_listen_fd >= 0) {
    sockaddr_storage address = {};
    socklen_t length = sizeof address;
    const int fd = ::accept4(m_listen_fd, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: pause accepting a moment instead of spinning on the backlog.
        m_loop.remove(m_listen_fd);
        m_loop.after(std::chrono::milliseconds(100), [this]() {
          if (m_listen_fd >= 0) {
            m_loop.add(m_listen_fd, EPOLLIN, [this](std::uint32_t) { accept_ready(); });
          }
        });
      }
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_shared<Connection>(*this, fd, describe_peer(address));
    m_connections.emplace(fd, connection);
    std::weak_ptr<Connection> weak = connection;
    m_loop.add(fd, connection->m_interest, [weak](std::uint32_t events) {
      if (const auto self = weak.lock()) {
        self->on_io(events);
      }
    });
    connection->arm_request_timer();
  }
}

void HttpServer::stop_accepting()
{
  if (m_listen_fd >= 0) {
    m_loop.remove(m_listen_fd);
    ::close(m_listen_fd);
    m_listen_fd = -1;
  }
}

void HttpServer::close_idle()
{
  std::vector<std::shared_ptr<Connection>> idle;
  for (const auto& [fd, connection] : m_connections) {
    if (!connection->m_busy) {
      idle.push_back(connection);
    }
  }
  for (const auto& connection : idle) {
    connection->close_after_flush();
  }
}

void HttpServer::drain(std::chrono::milliseconds limit, std::function<void()> done)
{
  stop_accepting();
  const auto deadline = EventLoop::Clock::now() + limit;
  auto check = std::make_shared<std::function<void()>>();
  *check = [this, deadline, done = std::move(done), weak = std::weak_ptr(check)]() {
    close_idle();
    if (m_connections.empty() || EventLoop::Clock::now() >= deadline) {
      done();
      return;
    }
    if (const auto again = weak.lock()) {
      m_loop.after(std::chrono::milliseconds(10), [again]() { (*again)(); });
    }
  };
  (*check)();
}

void HttpServer::schedule_flush(Connection& connection)
{
  m_dirty.push_back(connection.shared_from_this());
  if (!m_flush_scheduled) {
    m_flush_scheduled = true;
    m_loop.at_end_of_round([this]() { flush_dirty(); });
  }
}

void HttpServer::flush_dirty()
{
  m_flush_scheduled = false;
  auto dirty = std::move(m_dirty);
  m_dirty.clear();
  for (const auto& connection : dirty) {
    if (connection->m_dirty) {
      connection->flush();
    }
  }
}

void HttpServer::forget(int fd)
{
  m_connections.erase(fd);
}

} // namespace net
