#pragma once
// The POSIX side of the disk store's files (internal to lib/store): descriptors, whole reads
// and writes that retry what the kernel cut short, segment file names, and the buffered reader
// recovery scans a segment with. What the bytes mean is log_codec.hpp's.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace store::disk {

/// Bytes a read of a segment takes at once (recovery, repair copies).
inline constexpr std::size_t k_read_buffer = std::size_t{1} << 20;

/// Throws util::Error(runtime) "WHAT: <strerror(ERROR)>" about the path WHERE.
[[noreturn]] void throw_io_error(const std::string& what, const std::string& where, int error);

/// Throws util::Error(runtime): the segment PATH ends before what the index says is in it.
[[noreturn]] void throw_shorter(const std::string& path);

/// Owns a file descriptor (-1: none) and closes it.
class Fd {
public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd();
  Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  Fd& operator=(Fd&&) = delete;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

private:
  int m_fd;
};

/// The file name of segment SEQ of generation GEN: "<16 hex digits>-<8 hex digits>.log".
std::string segment_name(std::uint64_t gen, std::uint64_t seq);

/// GEN and SEQ of a segment file name; nullopt for any other name.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_segment_name(const std::string& name);

/// Reads up to SIZE bytes at OFFSET of FD (the file PATH), fewer only at the end of the file.
std::size_t pread_full(int fd, char* buffer, std::size_t size, std::uint64_t offset,
                       const std::string& path);

/// Reads exactly SIZE bytes at OFFSET, which the index says the file PATH holds.
void pread_exact(int fd, char* buffer, std::size_t size, std::uint64_t offset,
                 const std::string& path);

/// Writes SIZE bytes at OFFSET of FD (the file PATH).
void pwrite_full(int fd, const char* data, std::size_t size, std::uint64_t offset,
                 const std::string& path);

/// Creates the empty file REL under DIR_FD (PATH in messages); it must not exist yet.
void create_segment_file(int dir_fd, const std::string& rel, const std::string& path);

/// Buffered reads of one segment file during recovery.
class SegmentReader {
public:
  SegmentReader(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}

  /// The N bytes at OFFSET, which the caller knows lie within the file.
  const char* at(std::uint64_t offset, std::size_t n);

private:
  int m_fd;
  std::string m_path;
  std::vector<char> m_buffer;
  std::uint64_t m_start = 0;
  std::size_t m_length = 0;
};

} // namespace store::disk
