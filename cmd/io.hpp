#pragma once
// Unbuffered-by-policy I/O for the pipeline commands: input read in chunks as it arrives, and
// output buffered only until the caller flushes, which it does before every blocking read.

#include <cstddef>
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

/// One input: a named file or "-" for stdin, read in chunks as the bytes arrive.
class Input {
public:
  /// Opens PATH ("-" is stdin); throws util::Error(runtime) naming the file.
  explicit Input(std::string path);
  ~Input();
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  /// The next bytes, at most the buffer size, as soon as any are available; empty at the end.
  std::string_view read();
  /// How errors and messages name this input: the path, or "stdin".
  const std::string& name() const noexcept { return m_name; }

private:
  std::string m_name;
  int m_fd = -1;
  bool m_owned = false;
  std::vector<char> m_buffer;
};

/// The files named on a command line, or stdin when none were.
std::vector<std::string> inputs_or_stdin(const std::vector<std::string>& files);

} // namespace cmd
