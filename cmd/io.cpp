#include "io.hpp"

#include "util/error.hpp"
#include "util/units.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace cmd {
namespace {

constexpr std::size_t k_read_size = 1 << 20;

} // namespace

Writer::~Writer()
{
  try {
    flush();
  } catch (...) {
    // A destructor cannot report; callers flush explicitly on every path that matters.
  }
}

void Writer::flush()
{
  std::size_t done = 0;
  while (done < m_buffer.size()) {
    const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int error = errno;
      m_buffer.clear();
      if (error == EPIPE) {
        throw StdoutClosed{};
      }
      throw util::Error(util::Errc::runtime,
                        std::string("cannot write output: ") + std::strerror(error), "stdout");
    }
    done += static_cast<std::size_t>(n);
  }
  m_buffer.clear();
}

FileDescriptor::FileDescriptor(const std::string& path, int flags, const char* what)
  : m_fd(::open(path.c_str(), flags | O_CLOEXEC, 0644)), m_owned(true)
{
  if (m_fd < 0) {
    throw util::Error(util::Errc::runtime,
                      std::string("cannot ") + what + ": " + std::strerror(errno), path);
  }
}

FileDescriptor FileDescriptor::lent(int fd)
{
  FileDescriptor lent;
  lent.m_fd = fd;
  return lent;
}

FileDescriptor::~FileDescriptor()
{
  if (m_owned) {
    ::close(m_fd);
  }
}

FileDescriptor::FileDescriptor(FileDescriptor&& other) noexcept
  : m_fd(std::exchange(other.m_fd, -1)), m_owned(std::exchange(other.m_owned, false))
{
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept
{
  if (this != &other) {
    if (m_owned) {
      ::close(m_fd);
    }
    m_fd = std::exchange(other.m_fd, -1);
    m_owned = std::exchange(other.m_owned, false);
  }
  return *this;
}

Input::Input(std::string path) : m_buffer(k_read_size)
{
  if (path == "-") {
    m_name = "stdin";
    m_fd = FileDescriptor::lent(STDIN_FILENO);
    return;
  }
  m_name = std::move(path);
  m_fd = FileDescriptor(m_name, O_RDONLY, "open input");
}

std::string_view Input::read()
{
  while (true) {
    const ssize_t n = ::read(m_fd.get(), m_buffer.data(), m_buffer.size());
    if (n >= 0) {
      return {m_buffer.data(), static_cast<std::size_t>(n)};
    }
    if (errno != EINTR) {
      throw util::Error(util::Errc::runtime,
                        std::string("cannot read input: ") + std::strerror(errno), m_name);
    }
  }
}

void throw_line_too_long(const Input& input, std::uint64_t number, std::uint64_t limit,
                         const char* what, const char* option)
{
  throw util::Error(util::Errc::bad_input,
                    std::string("line longer than the maximum ") + what + "of "
                      + util::format_size(limit) + " (" + option + ")",
                    input.name() + ":" + std::to_string(number));
}

std::vector<std::string> inputs_or_stdin(const std::vector<std::string>& files)
{
  if (files.empty()) {
    return {"-"};
  }
  return files;
}

} // namespace cmd
