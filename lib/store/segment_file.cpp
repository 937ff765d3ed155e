#include "store/segment_file.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace store::disk {

[[noreturn]] void throw_io_error(const std::string& what, const std::string& where, int error)
{
  throw util::Error(util::Errc::runtime, what + ": " + std::strerror(error), where);
}

[[noreturn]] void throw_shorter(const std::string& path)
{
  throw util::Error(util::Errc::runtime, "cannot read " + path + ": it is shorter than its index",
                    path);
}

Fd::~Fd()
{
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

std::string segment_name(std::uint64_t gen, std::uint64_t seq)
{
  char text[40];
  std::snprintf(text, sizeof text, "%016llx-%08llx.log", static_cast<unsigned long long>(gen),
                static_cast<unsigned long long>(seq));
  return text;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_segment_name(const std::string& name)
{
  if (name.size() != 16 + 1 + 8 + 4 || name[16] != '-' || !name.ends_with(".log")) {
    return std::nullopt;
  }
  const auto hex = [](std::string_view digits) -> std::optional<std::uint64_t> {
    std::uint64_t value = 0;
    for (const char c : digits) {
      int digit = 0;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else {
        return std::nullopt;
      }
      value = value * 16 + static_cast<std::uint64_t>(digit);
    }
    return value;
  };
  const auto gen = hex(std::string_view(name).substr(0, 16));
  const auto seq = hex(std::string_view(name).substr(17, 8));
  if (!gen || !seq) {
    return std::nullopt;
  }
  return std::make_pair(*gen, *seq);
}

std::size_t pread_full(int fd, char* buffer, std::size_t size, std::uint64_t offset,
                       const std::string& path)
{
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(fd, buffer + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int saved = errno;
      throw_io_error("cannot read " + path, path, saved);
    }
    if (got == 0) {
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void pread_exact(int fd, char* buffer, std::size_t size, std::uint64_t offset,
                 const std::string& path)
{
  if (pread_full(fd, buffer, size, offset, path) != size) {
    throw_shorter(path);
  }
}

void pwrite_full(int fd, const char* data, std::size_t size, std::uint64_t offset,
                 const std::string& path)
{
  while (size > 0) {
    const ssize_t wrote = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (wrote < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int saved = errno;
      throw_io_error("cannot write " + path, path, saved);
    }
    data += wrote;
    size -= static_cast<std::size_t>(wrote);
    offset += static_cast<std::uint64_t>(wrote);
  }
}

void create_segment_file(int dir_fd, const std::string& rel, const std::string& path)
{
  const Fd fd(::openat(dir_fd, rel.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    const int saved = errno;
    throw_io_error("cannot create " + path, path, saved);
  }
}

const char* SegmentReader::at(std::uint64_t offset, std::size_t n)
{
  if (offset >= m_start && offset + n <= m_start + m_length) {
    return m_buffer.data() + (offset - m_start);
  }
  const std::size_t want = std::max(n, k_read_buffer);
  if (m_buffer.size() < want) {
    m_buffer.resize(want);
  }
  m_length = pread_full(m_fd, m_buffer.data(), want, offset, m_path);
  m_start = offset;
  if (m_length < n) {
    throw util::Error(util::Errc::runtime, "cannot read " + m_path + ": the file shrank", m_path);
  }
  return m_buffer.data();
}

} // namespace store::disk
