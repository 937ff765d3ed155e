#pragma once
// Where a reader stopped, kept in a file so the next run resumes there: an SSE last event ID
// or a Durable Streams offset. Written to a temporary file and renamed, so a crash never
// leaves half a position behind.

#include <optional>
#include <string>

namespace cmd {

class CursorFile {
public:
  explicit CursorFile(std::string path) : m_path(std::move(path)) {}

  /// The saved position, or nothing when the file does not exist yet.
  std::optional<std::string> load() const;
  /// Replaces the saved position; throws util::Error(runtime) when it cannot.
  void save(const std::string& position);

private:
  std::string m_path;
  std::optional<std::string> m_saved;
};

} // namespace cmd
