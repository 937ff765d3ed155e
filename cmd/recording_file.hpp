#pragma once
// `tail --record FILE`: every event received, with its time, written before it is printed.

#include "io.hpp"
#include "sse/event.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace cmd {

class RecordingFile {
public:
  /// Creates or truncates PATH; throws util::Error(runtime) when it cannot.
  explicit RecordingFile(std::string path);

  void event(const sse::EventView& event);
  /// The reader lost the stream and resumes it (a marker replay honours).
  void reconnect();

private:
  std::uint64_t now() const;
  void flush();

  std::string m_path;
  FileDescriptor m_fd;
  std::unique_ptr<Writer> m_writer; // written out before m_fd closes
  const std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
};

} // namespace cmd
