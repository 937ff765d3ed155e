#include "recording_file.hpp"

#include "record/recording.hpp"
#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace cmd {

RecordingFile::RecordingFile(std::string path) : m_path(std::move(path))
{
  m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0) {
    throw util::Error(util::Errc::runtime,
                      std::string("cannot write the recording: ") + std::strerror(errno), m_path);
  }
  m_writer = std::make_unique<Writer>(m_fd);
}

RecordingFile::~RecordingFile()
{
  m_writer.reset();
  ::close(m_fd);
}

void RecordingFile::event(const sse::EventView& event)
{
  record::append_event(m_writer->buffer(), event, now());
  flush();
}

void RecordingFile::reconnect()
{
  record::append_reconnect(m_writer->buffer(), now());
  flush();
}

std::uint64_t RecordingFile::now() const
{
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - m_started)
                                      .count());
}

void RecordingFile::flush()
{
  try {
    m_writer->flush();
  } catch (const StdoutClosed&) {
    throw util::Error(util::Errc::runtime, "cannot write the recording", m_path);
  } catch (const util::Error& e) {
    throw util::Error(util::Errc::runtime, e.what(), m_path);
  }
}

} // namespace cmd
