#pragma once
// Unbuffered-by-policy I/O for the pipeline commands: input read in chunks as it arrives, and
// output buffered only until the caller flushes, which it does before every blocking read.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace cmd {

/// Thrown when stdout is a closed pipe (`sse parse | head -1`); main exits 0 quietly.
struct StdoutClosed {};

/// Collects output and writes it to a file descriptor on flush().
class Writer {
public:
  explicit Writer(int fd = 1) : m_fd(fd) {}
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  /// The pending output; append to it freely, then flush().
  std::string& buffer() noexcept { return m_buffer; }
  void write(std::string_view bytes) { m_buffer.append(bytes); }
  /// Writes out what is pending; throws StdoutClosed on EPIPE, util::Error on other errors.
  void flush();
  /// Flushes once the pending output is large, so a burst keeps memory bounded.
  void flush_if_large()
  {
    if (m_buffer.size() >= k_flush_threshold) {
      flush();
    }
  }

private:
  static constexpr std::size_t k_flush_threshold = 1 << 20;
  int m_fd;
  std::string m_buffer;
};

/// A file descriptor closed with it, unless it is only lent (stdin).
class FileDescriptor {
public:
  FileDescriptor() = default;
  /// Opens PATH with FLAGS (and O_CLOEXEC; mode 0644 when it creates); throws
  /// util::Error(runtime) "cannot WHAT: REASON" naming PATH.
  FileDescriptor(const std::string& path, int flags, const char* what);
  /// FD, which stays open after this is gone.
  static FileDescriptor lent(int fd);
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& other) noexcept;
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;

  int get() const noexcept { return m_fd; }

private:
  int m_fd = -1;
  bool m_owned = false;
};

/// One input: a named file or "-" for stdin, read in chunks as the bytes arrive.
class Input {
public:
  /// Opens PATH ("-" is stdin); throws util::Error(runtime) naming the file.
  explicit Input(std::string path);

  /// The next bytes, at most the buffer size, as soon as any are available; empty at the end.
  std::string_view read();
  /// How errors and messages name this input: the path, or "stdin".
  const std::string& name() const noexcept { return m_name; }

private:
  std::string m_name;
  FileDescriptor m_fd;
  std::vector<char> m_buffer;
};

/// The files named on a command line, or stdin when none were.
std::vector<std::string> inputs_or_stdin(const std::vector<std::string>& files);

/// Throws util::Error(bad_input) "line longer than the maximum WHAT of LIMIT (OPTION)" naming
/// INPUT:NUMBER.
[[noreturn]] void throw_line_too_long(const Input& input, std::uint64_t number, std::uint64_t limit,
                                      const char* what, const char* option);

/// Reads INPUT line by line as its chunks arrive: ON_LINE(text, number) for every line (without
/// its LF; a last line without one counts too), then AFTER_CHUNK() once a chunk's lines are
/// done, that is before the next blocking read. A line longer than LIMIT is an error naming it
/// (see throw_line_too_long), detected before the whole line is held.
template <typename OnLine, typename AfterChunk>
void read_lines(Input& input, std::uint64_t limit, const char* what, const char* option,
                OnLine on_line, AfterChunk after_chunk)
{
  std::string pending; // the start of a line that continues in the next chunk
  std::uint64_t number = 0;
  auto check = [&](std::size_t length) {
    if (length > limit) {
      throw_line_too_long(input, number + 1, limit, what, option);
    }
  };
  for (auto chunk = input.read(); !chunk.empty(); chunk = input.read()) {
    std::size_t start = 0;
    while (true) {
      const void* found = std::memchr(chunk.data() + start, '\n', chunk.size() - start);
      if (found == nullptr) {
        pending.append(chunk.substr(start));
        check(pending.size());
        break;
      }
      const auto stop = static_cast<std::size_t>(static_cast<const char*>(found) - chunk.data());
      if (pending.empty()) {
        check(stop - start);
        on_line(chunk.substr(start, stop - start), ++number);
      } else {
        pending.append(chunk.substr(start, stop - start));
        check(pending.size());
        on_line(std::string_view(pending), ++number);
        pending.clear();
      }
      start = stop + 1;
    }
    after_chunk();
  }
  if (!pending.empty()) {
    on_line(std::string_view(pending), ++number);
  }
}

} // namespace cmd
