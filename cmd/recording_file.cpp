#include "recording_file.hpp"

#include "record/recording.hpp"
#include "util/error.hpp"

#include <fcntl.h>

namespace cmd {

RecordingFile::RecordingFile(std::string path)
  : m_path(std::move(path)), m_fd(m_path, O_WRONLY | O_CREAT | O_TRUNC, "write the recording"),
    m_writer(std::make_unique<Writer>(m_fd.get()))
{
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
