#pragma once
// What the tests of a server on its own loop thread share: running work on that thread and
// waiting for its result, a blocking socket connected to the server on 127.0.0.1, and sending
// all of some bytes through it.

#include "net/event_loop.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <future>
#include <memory>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace test_support {

/// Runs WORK on LOOP's thread and returns its result; a failure, and a default result, when
/// the loop has not run it within PATIENCE.
template <typename Work>
auto run_on_loop(net::EventLoop& loop, Work work, std::chrono::milliseconds patience) -> decltype(work())
{
  using Result = decltype(work());
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  loop.post([promise, work = std::move(work)]() mutable { promise->set_value(work()); });
  if (future.wait_for(patience) != std::future_status::ready) {
    ADD_FAILURE() << "the loop did not run posted work";
    return Result();
  }
  return future.get();
}

/// A blocking socket connected to 127.0.0.1:PORT (a failure, and the socket, when it is
/// refused). RECEIVE_BUFFER: a small SO_RCVBUF makes a slow reader.
inline int connect_loopback(std::uint16_t port, int receive_buffer = 0)
{
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0)
    << std::strerror(errno);
  return fd;
}

/// Sends all of BYTES on FD; false when the connection broke first (a reset, the server gone).
inline bool send_all(int fd, std::string_view bytes)
{
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) {
      continue;
    }
    if (sent <= 0) {
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

} // namespace test_support
