#include "stdout_watch.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cmd {

StdoutWatch::StdoutWatch(std::function<void()> on_closed) : m_on_closed(std::move(on_closed))
{
  struct stat info {};
  if (::fstat(STDOUT_FILENO, &info) != 0 || !(S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))) {
    return;
  }
  if (::pipe2(m_wake, O_CLOEXEC) != 0) {
    return;
  }
  m_thread = std::thread([this] {
    // No events asked for: poll still reports POLLERR once the pipe's last reader is gone.
    pollfd fds[2] = {{STDOUT_FILENO, 0, 0}, {m_wake[0], POLLIN, 0}};
    while (true) {
      const int ready = ::poll(fds, 2, -1);
      if (ready < 0 && errno == EINTR) {
        continue;
      }
      if (ready < 0 || fds[1].revents != 0) {
        return;
      }
      if ((fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
        m_closed.store(true);
        m_on_closed();
        return;
      }
    }
  });
}

StdoutWatch::~StdoutWatch()
{
  if (m_thread.joinable()) {
    const char byte = 0;
    [[maybe_unused]] const auto written = ::write(m_wake[1], &byte, 1);
    m_thread.join();
  }
  for (int fd : m_wake) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
}

} // namespace cmd
